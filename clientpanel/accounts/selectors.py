"""Reads for users and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from clientpanel.core.errors import NotFound

from . import roles
from .models import ApiToken, User
from .tokens import TOKEN_PREFIX, hash_token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, or None (unknown, revoked, expired, or its staff member
    inactive). Records when it was last used, to the minute."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not (token.user.is_active and token.user.is_staff):
        return None
    # Recording use at most once a minute keeps reads from turning into writes on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_list(*, search: str = "") -> QuerySet[User]:
    users = User.objects.all()
    for word in search.split():
        users = users.filter(
            Q(email__icontains=word) | Q(firstname__icontains=word) | Q(lastname__icontains=word)
        )
    return users


def staff_visible_to(actor: User | None) -> QuerySet[User]:
    """Staff in Settings → Staff. The system, superusers and unlimited staff managers see every staff
    member. A manager limited to assigned clients sees itself and the staff whose limits are within
    its own (issue 9): limited too, not superusers, holding no area it lacks, and assigned only
    clients assigned to it. Staff without the Manage staff area see none."""
    staff = User.objects.filter(is_staff=True)
    if actor is None:
        return staff
    if not roles.has_area(actor, roles.MANAGE_STAFF):
        return User.objects.none()
    if actor.is_superuser or not actor.limited_to_assigned_clients:
        return staff
    lacking = Permission.objects.filter(content_type__app_label="accounts",
                                        codename__in=set(roles.AREAS) - roles.staff_areas(actor))
    # Assignments are the clients app's rows, reached through their relation so this app does not
    # import that one (which depends on this one).
    assignment = User._meta.get_field("client_assignments").related_model
    assigned_beyond = assignment.objects.exclude(
        client_id__in=assignment.objects.filter(staff=actor).values("client_id")).values("staff_id")
    within = (staff.filter(limited_to_assigned_clients=True, is_superuser=False)
              .exclude(groups__permissions__in=lacking).exclude(user_permissions__in=lacking)
              .exclude(pk__in=assigned_beyond))
    return staff.filter(Q(pk__in=within.values("pk")) | Q(pk=actor.pk))


def staff_manageable_by(actor: User | None) -> QuerySet[User]:
    """The staff the actor may change: those it sees, but superusers only for superusers."""
    staff = staff_visible_to(actor)
    if actor is None or actor.is_superuser:
        return staff
    return staff.filter(Q(is_superuser=False) | Q(pk=actor.pk))


def staff_get(*, actor: User | None, staff_id) -> User:
    try:
        return staff_visible_to(actor).get(pk=staff_id)
    except (User.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("Staff member not found.") from None


def api_tokens_visible_to(actor: User | None) -> QuerySet[ApiToken]:
    """Settings → API tokens: a staff member's own tokens, and those of the staff it manages when it
    holds Manage staff (issue 9). The system (revoke_api_token) sees all."""
    tokens = ApiToken.objects.select_related("user")
    if actor is None:
        return tokens
    if roles.has_area(actor, roles.MANAGE_STAFF):
        return tokens.filter(Q(user=actor) | Q(user__in=staff_manageable_by(actor)))
    return tokens.filter(user=actor)
