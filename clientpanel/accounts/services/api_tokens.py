"""API tokens: issuing one to a staff member (the token row holds only the secret's hash; the secret
is answered once) and revoking one. Each writes the token row with an audit event, in one
transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.text import at_most_characters

from .. import policies
from ..actors import ActorLike, as_actor
from ..models import ApiToken, User
from ..scopes import ALL_SCOPES, scopes_of_staff
from ..selectors import api_tokens_visible_to
from ..tokens import TOKEN_PREFIX, hash_token

MAX_TOKEN_LIFETIME = timedelta(days=3660)


@transaction.atomic
def api_token_create(*, user: User, scopes: Iterable[str] | None = None, name: str = "",
                     expires_at: datetime | None = None, actor: ActorLike = None) -> tuple[ApiToken, str]:
    """Issue a token for a staff member; answers (token row, the secret shown once).

    The token gets every scope the staff member holds, or only `scopes` when given (never more),
    and works until revoked, or until `expires_at` when given (in the future, within ten years). A
    staff actor issues tokens only for itself: a token acts as its owner (the system, through
    create_api_token, issues them for anybody).
    """
    require(policies.can_issue_token_for(as_actor(actor), user),
            _("Staff members create API tokens only for themselves."))
    held = scopes_of_staff(user)
    if not held:
        raise ValidationFailed(_("API tokens are issued to active staff members whose roles grant API scopes."),
                               fields={"email": [_("This user is not an active staff member with a role.")]})
    errors = FieldErrors()
    name = (name or "").strip()
    if len(name) > 100:
        errors.add("name", at_most_characters(100))
    if expires_at is not None:
        now = timezone.now()
        if expires_at <= now:
            errors.add("expires_at", _("Choose a time in the future."))
        elif expires_at > now + MAX_TOKEN_LIFETIME:
            errors.add("expires_at", _("At most ten years ahead; leave it empty for a token without an end."))
    wanted = set(scopes) if scopes is not None else held
    unknown = wanted - set(ALL_SCOPES)
    if unknown:
        raise ValidationFailed(
            _("Unknown scopes: %(unknown)s. Known: %(known)s.") % {"unknown": ", ".join(sorted(unknown)),
                                                                  "known": ", ".join(ALL_SCOPES)},
            fields={"scopes": [_("Unknown scope: %(scope)s") % {"scope": s} for s in sorted(unknown)]},
        )
    not_held = wanted - held
    if not_held:
        raise ValidationFailed(
            _("The staff member does not hold: %(scopes)s.") % {"scopes": ", ".join(sorted(not_held))},
            fields={"scopes": [_("Not held by this staff member: %(scope)s") % {"scope": s} for s in sorted(not_held)]},
        )
    if not wanted:
        errors.add("scopes", _("Choose at least one scope."))
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), scopes=sorted(wanted),
        expires_at=expires_at,
    )
    audit_record(action="api_token.create", target=token, object_label=f"{token.prefix}… of {user.email}",
                 changes={"scopes": [None, token.scopes], "expires_at": [None, expires_at]})
    return token, secret


def api_token_revoke(*, actor: ActorLike, token_id) -> ApiToken:
    """Revoke a token: the next request with it is refused (401). Staff revoke their own tokens,
    staff managers also those of the staff they manage (selectors.api_tokens_visible_to), the
    system (revoke_api_token) any. Revoking a revoked token changes nothing. Locks the token."""
    with transaction.atomic():
        try:
            token = api_tokens_visible_to(actor).select_for_update(of=("self",)).get(pk=token_id)
        except (ApiToken.DoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(_("API token not found.")) from None
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(action="api_token.revoke", target=token, object_label=f"{token.prefix}… of {token.user.email}",
                         changes={"revoked_at": [None, token.revoked_at]})
    return token

