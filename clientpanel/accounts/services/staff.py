"""Writes for users, staff and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record, diff
from clientpanel.core.errors import FieldErrors, NotFound, PermissionDenied, ValidationFailed, require
from clientpanel.core.text import at_most_characters

from .. import policies
from .. import roles as roles_module
from ..actors import ActorLike, as_actor
from ..models import ApiToken, User, normalize_email
from ..scopes import ALL_SCOPES, scopes_of_staff
from ..selectors import api_tokens_visible_to, staff_manageable_by, staff_visible_to
from ..tokens import TOKEN_PREFIX, hash_token


def clean_email(email: str, errors: FieldErrors, field: str = "email", *, must_be_new: bool = True) -> str:
    """Validate an email and (by default) refuse one that a user already has."""
    email = normalize_email(email)
    if not email:
        errors.add(field, _("Enter an email address."))
        return email
    if len(email) > 254:
        errors.add(field, _("An email address has at most 254 characters."))
        return email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(field, _("Enter a valid email address, like name@example.com."))
        return email
    if must_be_new and User.objects.filter(email=email).exists():
        errors.add(field, _("A user with this email address already exists."))
    return email


def clean_password(password: str | None, errors: FieldErrors, *, user: User | None = None) -> None:
    if not password:
        return
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message)


def _clean_roles(names: Iterable[str], errors: FieldErrors) -> list[Group]:
    names = [n.strip() for n in names if n and n.strip()]
    found = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in found:
            errors.add("roles", _("There is no role named %(name)s.") % {"name": repr(name)})
    return [found[n] for n in names if n in found]


def _areas_of_roles(groups: Iterable[Group]) -> set[str]:
    codenames = Permission.objects.filter(group__in=list(groups), content_type__app_label="accounts").values_list(
        "codename", flat=True)
    return set(codenames) & set(roles_module.AREAS)


def _area_labels(areas: Iterable[str]) -> str:
    return ", ".join(str(roles_module.AREAS[a]) for a in sorted(areas))


def _check_grants(actor: ActorLike, errors: FieldErrors, *, added_roles: Iterable[Group], superuser: bool = False,
                  unlimited: bool = False) -> None:
    """Nobody grants what they do not hold: areas, superuser status, or (for a staff member limited
    to assigned clients) access to every client."""
    actor = as_actor(actor)
    if policies.grants_unchecked(actor):
        return
    missing = _areas_of_roles(added_roles) - actor.areas
    if missing:
        errors.add("roles", _("You cannot grant areas you do not hold: %(areas)s.") % {"areas": _area_labels(missing)})
    if superuser:
        errors.add("superuser", _("Only superusers make superusers."))
    if unlimited and actor.limited_to_assigned:
        errors.add("limited_to_assigned_clients",
                   _("You are limited to assigned clients, and so are the staff members you manage."))


@transaction.atomic
def staff_create(*, email: str, password: str, superuser: bool = False, firstname: str = "",
                 lastname: str = "", roles: Iterable[str] = (), limited_to_assigned_clients: bool = False,
                 actor: ActorLike = None) -> User:
    """Create a staff member who can log in to /staff/ with the given roles. Refuses a taken email,
    a weak password, a role that does not exist, and (from a staff actor) areas, superuser status or
    unlimited access the actor does not hold itself; writes nothing then."""
    errors = FieldErrors()
    email = clean_email(email, errors)
    clean_password(password, errors, user=User(email=email, firstname=firstname, lastname=lastname))
    if not password:
        errors.add("password", _("Enter a password."))
    for field, value in (("firstname", firstname), ("lastname", lastname)):
        if len(value) > 150:
            errors.add(field, at_most_characters(150))
    groups = _clean_roles(roles, errors)
    _check_grants(actor, errors, added_roles=groups, superuser=superuser, unlimited=not limited_to_assigned_clients)
    errors.raise_if_any()
    user = User.objects.create_user(
        email, password, is_staff=True, is_superuser=superuser, firstname=firstname, lastname=lastname,
        limited_to_assigned_clients=limited_to_assigned_clients,
    )
    user.groups.set(groups)
    audit_record(action="staff.create", target=user, changes={
        "email": [None, user.email], "roles": [None, sorted(g.name for g in groups)],
        "superuser": [None, superuser], "limited_to_assigned_clients": [None, limited_to_assigned_clients]})
    return user


def staff_update(*, actor: ActorLike, staff_id, data: dict) -> User:
    """Change a staff member's names, roles, active flag or client limitation. Locks the row.

    Nobody changes their own roles or limitation, or deactivates themselves (issue 9: a limited
    staff member lifted its own limit here). Only superusers change superusers; a staff member
    limited to assigned clients reaches only staff within its limits (selectors.staff_manageable_by),
    else NotFound; nobody grants an area or unlimited access they do not hold.
    """
    actor = as_actor(actor)
    allowed = {"firstname", "lastname", "roles", "is_active", "limited_to_assigned_clients"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed.from_fields({k: [_("This field cannot be changed here.")] for k in sorted(unknown)})
    with transaction.atomic():
        try:
            staff = User.objects.select_for_update().get(pk=staff_id, is_staff=True)
        except (User.DoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(_("Staff member not found.")) from None
        if not actor.is_system and not staff_manageable_by(actor).filter(pk=staff.pk).exists():
            if staff.is_superuser and staff_visible_to(actor).filter(pk=staff.pk).exists():
                raise PermissionDenied(_("Only superusers change superusers."))
            raise NotFound(_("Staff member not found."))
        errors = FieldErrors()
        current_roles = list(staff.groups.all())
        before = {"firstname": staff.firstname, "lastname": staff.lastname, "is_active": staff.is_active,
                  "limited_to_assigned_clients": staff.limited_to_assigned_clients,
                  "roles": sorted(g.name for g in current_roles)}
        groups = _clean_roles(data["roles"], errors) if "roles" in data else None
        for field in ("firstname", "lastname"):
            if field in data and len(str(data[field])) > 150:
                errors.add(field, at_most_characters(150))
        limited = data.get("limited_to_assigned_clients", staff.limited_to_assigned_clients)
        if actor.user_id == staff.pk:
            if data.get("is_active") is False:
                errors.add("is_active", _("You cannot deactivate yourself."))
            if groups is not None and {g.pk for g in groups} != {g.pk for g in current_roles}:
                errors.add("roles", _("You cannot change your own roles; ask another staff manager."))
            if bool(limited) != staff.limited_to_assigned_clients:
                errors.add("limited_to_assigned_clients",
                           _("You cannot change your own limitation; ask another staff manager."))
        else:
            added = [g for g in groups or [] if g.pk not in {r.pk for r in current_roles}]
            _check_grants(actor, errors, added_roles=added, unlimited=not limited)
        errors.raise_if_any()
        for field in ("firstname", "lastname", "is_active", "limited_to_assigned_clients"):
            if field in data:
                setattr(staff, field, data[field])
        staff.save()
        if groups is not None:
            staff.groups.set(groups)
        after = {**{k: getattr(staff, k) for k in before if k != "roles"},
                 "roles": sorted(staff.groups.values_list("name", flat=True))}
        changes = diff(before, after)
        if changes:
            audit_record(action="staff.update", target=staff, changes=changes)
    return staff


@transaction.atomic
def client_user_create(*, actor: ActorLike, data: dict) -> User:
    """Create a client user (a portal login) not yet linked to any client."""
    require(policies.can_create_client_users(as_actor(actor)), _("You are not allowed to create users."))
    allowed = {"email", "firstname", "lastname", "password", "language"}
    errors = FieldErrors()
    for name in sorted(set(data) - allowed):
        errors.add(name, _("Unknown field."))
    email = clean_email(str(data.get("email") or ""), errors)
    names = {}
    for field in ("firstname", "lastname"):
        value = data.get(field) or ""
        if not isinstance(value, str) or not value.strip():
            errors.add(field, _("This field is required."))
        elif len(value) > 150:
            errors.add(field, at_most_characters(150))
        names[field] = value.strip() if isinstance(value, str) else ""
    password = data.get("password") or None
    clean_password(password, errors, user=User(email=email, **names))
    language = data.get("language") or settings.CLIENTPANEL_DEFAULT_LANGUAGE
    if language not in settings.CLIENTPANEL_LANGUAGES:
        errors.add("language", _("Use one of %(choices)s.") % {"choices": ", ".join(settings.CLIENTPANEL_LANGUAGES)})
    errors.raise_if_any()
    user = User.objects.create_user(email, password, language=language, **names)
    audit_record(action="user.create", target=user, changes={"email": [None, user.email]})
    return user


@transaction.atomic
def role_save(*, actor: ActorLike, name: str, areas: Iterable[str], role_id: int | None = None) -> Group:
    """Create or change a role: a name and the staff areas it grants.

    A staff actor (not a superuser) adds only areas it holds and leaves the areas of a role it holds
    itself alone (that would change its own roles); one limited to assigned clients changes no
    role at all, since roles are shared with staff outside its limits."""
    actor = as_actor(actor)
    require(policies.can_change_roles(actor), _("Roles are shared by staff outside your assigned clients; "
                                                "a staff member limited to assigned clients cannot change them."))
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Enter a name."))
    elif len(name) > 150:
        errors.add("name", at_most_characters(150))
    elif Group.objects.filter(name=name).exclude(pk=role_id).exists():
        errors.add("name", _("A role with this name exists already."))
    areas = list(areas)
    unknown = [a for a in areas if a not in roles_module.AREAS]
    if unknown:
        errors.add("areas", _("Unknown areas: %(areas)s.") % {"areas": ", ".join(unknown)})
    role = None
    before: dict = {}
    if role_id is not None:
        try:
            role = Group.objects.select_for_update().get(pk=role_id)
        except (Group.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Role not found.")) from None
        before = {"name": role.name, "areas": sorted(role.permissions.values_list("codename", flat=True))}
    if not policies.grants_unchecked(actor):
        wanted = set(areas) & set(roles_module.AREAS)
        had = set(before.get("areas", []))
        missing = (wanted - had) - actor.areas
        if missing:
            errors.add("areas", _("You cannot grant areas you do not hold: %(areas)s.")
                       % {"areas": _area_labels(missing)})
        elif role is not None and wanted != had and actor.user.groups.filter(pk=role.pk).exists():
            errors.add("areas", _("You hold this role, so changing its areas would change your own; "
                                  "ask another staff manager."))
    errors.raise_if_any()
    if role is None:
        role = Group.objects.create(name=name)
    else:
        role.name = name
        role.save()
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=areas))
    after = {"name": role.name, "areas": sorted(areas)}
    audit_record(action="role.create" if role_id is None else "role.update", object_type="role",
                 object_id=str(role.pk), object_label=role.name, changes=diff(before, after))
    return role


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


def user_language_set(*, user: User, language: str) -> User:
    """Keep the language a user reads the panel in (settings.LANGUAGES); a language the panel does
    not speak is a field error. Locks the user's row; choosing the same language changes nothing."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed.from_fields({"language": [_("Choose one of the panel's languages.")]})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.language != language:
            audit_record(action="user.language", target=locked, changes={"language": [locked.language, language]})
            locked.language = language
            locked.save(update_fields=["language"])
    user.language = language
    return user


@transaction.atomic
def password_set_from_link(*, user: User, password: str) -> User:
    """Set the password of a user who opened a set-password or reset link (accounts/links.py checked
    it). The link arrived at the user's address, so the address is verified too; the new password
    hash spends the link."""
    errors = FieldErrors()
    if not password:
        errors.add("password", _("Enter a password."))
    clean_password(password, errors, user=user)
    errors.raise_if_any()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    audit_record(action="user.set_password", target=user, changes={"password": ["…", "…"]})
    return user


@transaction.atomic
def email_verify_from_link(*, user: User) -> User:
    """Mark the address verified: its owner opened the link sent there (accounts/links.py checked
    it; the changed flag spends the link)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_record(action="user.verify_email", target=user, changes={"email_verified": [False, True]})
    return user
