"""Reads for users and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.core.errors import NotFound

from . import policies, roles
from .actors import ActorLike, as_actor
from .models import ApiToken, User, normalize_email
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


def staff_visible_to(actor: ActorLike) -> QuerySet[User]:
    """Staff in Settings → Staff. The system, superusers and unlimited staff managers see every staff
    member. A manager limited to assigned clients sees itself and the staff whose limits are within
    its own (issue 9): limited too, not superusers, holding no area it lacks, and assigned only
    clients assigned to it. Staff without the Manage staff area see none."""
    actor = as_actor(actor)
    staff = User.objects.filter(is_staff=True)
    if actor.is_system:
        return staff
    if not policies.can_manage_staff(actor):
        return User.objects.none()
    if not actor.limited_to_assigned:
        return staff
    lacking = Permission.objects.filter(content_type__app_label="accounts",
                                        codename__in=set(roles.AREAS) - actor.areas)
    # Assignments are the clients app's rows, reached through their relation so this app does not
    # import that one (which depends on this one).
    assignment = User._meta.get_field("client_assignments").related_model
    assigned_beyond = assignment.objects.exclude(
        client_id__in=assignment.objects.filter(staff=actor.user).values("client_id")).values("staff_id")
    within = (staff.filter(limited_to_assigned_clients=True, is_superuser=False)
              .exclude(groups__permissions__in=lacking).exclude(user_permissions__in=lacking)
              .exclude(pk__in=assigned_beyond))
    return staff.filter(Q(pk__in=within.values("pk")) | Q(pk=actor.user_id))


def staff_manageable_by(actor: ActorLike) -> QuerySet[User]:
    """The staff the actor may change: those it sees, but superusers only for superusers."""
    actor = as_actor(actor)
    staff = staff_visible_to(actor)
    if actor.is_system or actor.is_superuser:
        return staff
    return staff.filter(Q(is_superuser=False) | Q(pk=actor.user_id))


def staff_get(*, actor: ActorLike, staff_id) -> User:
    try:
        return staff_visible_to(actor).get(pk=staff_id)
    except (User.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Staff member not found.")) from None


def granted_areas(staff: User) -> set[str]:
    """The areas a staff member's roles and own permissions grant, whether or not it is active now
    (roles.staff_areas answers none for an inactive one, who may be made active again)."""
    if staff.is_superuser:
        return set(roles.AREAS)
    codenames = Permission.objects.filter(Q(group__user=staff) | Q(user=staff), content_type__app_label="accounts")
    return set(codenames.values_list("codename", flat=True)) & set(roles.AREAS)


def staff_credentials_refusal(*, actor: ActorLike, staff: User) -> str | None:
    """Why the actor may not reset this staff member's password or second factor, None when it may
    (policies.staff_credentials_refusal, given the areas the staff member holds): the pages offer
    the actions only then, and the services refuse with this message."""
    return policies.staff_credentials_refusal(as_actor(actor), staff, granted_areas(staff))


def staff_holding(area: str) -> QuerySet[User]:
    """Active staff members whose roles (or superuser status) grant the area: whom to tell about
    what the area looks after (e.g. a webhook endpoint switched off)."""
    granted = Q(groups__permissions__codename=area, groups__permissions__content_type__app_label="accounts") | Q(
        user_permissions__codename=area, user_permissions__content_type__app_label="accounts")
    return (User.objects.filter(is_active=True, is_staff=True).filter(Q(is_superuser=True) | granted)
            .distinct().order_by("email"))


def api_tokens_visible_to(actor: ActorLike) -> QuerySet[ApiToken]:
    """Settings → API tokens: a staff member's own tokens, and those of the staff it manages when it
    holds Manage staff (issue 9). The system (revoke_api_token) sees all."""
    actor = as_actor(actor)
    tokens = ApiToken.objects.select_related("user")
    if actor.is_system:
        return tokens
    if policies.can_manage_staff(actor):
        return tokens.filter(Q(user_id=actor.user_id) | Q(user__in=staff_manageable_by(actor)))
    return tokens.filter(user_id=actor.user_id)


def _mailbox(email: str) -> str:
    """An address without its sub-address tag (name+tag@domain is delivered to name@domain)."""
    local, _at, domain = normalize_email(email).rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def reaches_staff_mailbox(email: str) -> bool:
    """Whether mail to this address lands in a staff account's mailbox: the account's own address,
    in any case or look-alike form normalize_email folds, or one of its sub-addresses (tag after a
    "+"). What staff may not invite as a client user during Login as Owner (docs/decisions.md)."""
    email = normalize_email(email)
    if "@" not in email:
        return False
    domain = email.rpartition("@")[2]
    mailbox = _mailbox(email)
    staff = User.objects.filter(is_staff=True, email__endswith=f"@{domain}").values_list("email", flat=True)
    return any(_mailbox(address) == mailbox for address in staff)
