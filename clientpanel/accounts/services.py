"""Writes for users, staff and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from clientpanel.audit.services import audit_record, diff
from clientpanel.core.errors import FieldErrors, NotFound, PermissionDenied, ValidationFailed

from . import roles as roles_module
from .models import ApiToken, User, normalize_email
from .scopes import ALL_SCOPES, scopes_of_staff

TOKEN_PREFIX = "cp_"


def clean_email(email: str, errors: FieldErrors, field: str = "email", *, must_be_new: bool = True) -> str:
    """Validate an email and (by default) refuse one that a user already has."""
    email = normalize_email(email)
    if not email:
        errors.add(field, "Enter an email address.")
        return email
    if len(email) > 254:
        errors.add(field, "An email address has at most 254 characters.")
        return email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(field, "Enter a valid email address, like name@example.com.")
        return email
    if must_be_new and User.objects.filter(email=email).exists():
        errors.add(field, "A user with this email address already exists.")
    return email


def clean_password(password: str | None, errors: FieldErrors, *, user: User | None = None) -> None:
    if not password:
        return
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message)


def hash_token(token: str) -> str:
    # API tokens carry 256 bits of randomness, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_roles(names: Iterable[str], errors: FieldErrors) -> list[Group]:
    names = [n.strip() for n in names if n and n.strip()]
    found = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in found:
            errors.add("roles", f"There is no role named {name!r}.")
    return [found[n] for n in names if n in found]


@transaction.atomic
def staff_create(*, email: str, password: str, superuser: bool = False, firstname: str = "",
                 lastname: str = "", roles: Iterable[str] = (), limited_to_assigned_clients: bool = False) -> User:
    """Create a staff member who can log in to /staff/ with the given roles. Refuses a taken email,
    a weak password or a role that does not exist; writes nothing then."""
    errors = FieldErrors()
    email = clean_email(email, errors)
    clean_password(password, errors, user=User(email=email, firstname=firstname, lastname=lastname))
    if not password:
        errors.add("password", "Enter a password.")
    for field, value in (("firstname", firstname), ("lastname", lastname)):
        if len(value) > 150:
            errors.add(field, "At most 150 characters.")
    groups = _clean_roles(roles, errors)
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


def staff_update(*, actor: User | None, staff_id, data: dict) -> User:
    """Change a staff member's names, roles, active flag or client limitation. Locks the row.

    A staff member cannot remove their own Manage staff area or deactivate themselves, so nobody
    locks the last door from the inside.
    """
    allowed = {"firstname", "lastname", "roles", "is_active", "limited_to_assigned_clients"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed.from_fields({k: ["This field cannot be changed here."] for k in sorted(unknown)})
    with transaction.atomic():
        try:
            staff = User.objects.select_for_update().get(pk=staff_id, is_staff=True)
        except (User.DoesNotExist, ValueError, TypeError):
            raise NotFound("Staff member not found.") from None
        errors = FieldErrors()
        before = {"firstname": staff.firstname, "lastname": staff.lastname, "is_active": staff.is_active,
                  "limited_to_assigned_clients": staff.limited_to_assigned_clients,
                  "roles": sorted(staff.groups.values_list("name", flat=True))}
        groups = _clean_roles(data["roles"], errors) if "roles" in data else None
        for field in ("firstname", "lastname"):
            if field in data and len(str(data[field])) > 150:
                errors.add(field, "At most 150 characters.")
        if actor is not None and actor.pk == staff.pk:
            if data.get("is_active") is False:
                errors.add("is_active", "You cannot deactivate yourself.")
            if groups is not None and not staff.is_superuser and not any(
                    g.permissions.filter(codename=roles_module.MANAGE_STAFF).exists() for g in groups):
                errors.add("roles", "You cannot remove your own Manage staff area.")
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
def client_user_create(*, actor: User | None, data: dict) -> User:
    """Create a client user (a portal login) not yet linked to any client."""
    if actor is not None and not roles_module.has_area(actor, roles_module.EDIT_CLIENTS):
        raise PermissionDenied("You are not allowed to create users.")
    allowed = {"email", "firstname", "lastname", "password", "language"}
    errors = FieldErrors()
    for name in sorted(set(data) - allowed):
        errors.add(name, "Unknown field.")
    email = clean_email(str(data.get("email") or ""), errors)
    names = {}
    for field in ("firstname", "lastname"):
        value = data.get(field) or ""
        if not isinstance(value, str) or not value.strip():
            errors.add(field, "This field is required.")
        elif len(value) > 150:
            errors.add(field, "At most 150 characters.")
        names[field] = value.strip() if isinstance(value, str) else ""
    password = data.get("password") or None
    clean_password(password, errors, user=User(email=email, **names))
    language = data.get("language") or settings.CLIENTPANEL_DEFAULT_LANGUAGE
    if language not in settings.CLIENTPANEL_LANGUAGES:
        errors.add("language", f"Use one of {', '.join(settings.CLIENTPANEL_LANGUAGES)}.")
    errors.raise_if_any()
    user = User.objects.create_user(email, password, language=language, **names)
    audit_record(action="user.create", target=user, changes={"email": [None, user.email]})
    return user


@transaction.atomic
def role_save(*, actor: User | None, name: str, areas: Iterable[str], role_id: int | None = None) -> Group:
    """Create or change a role: a name and the staff areas it grants."""
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", "Enter a name.")
    elif len(name) > 150:
        errors.add("name", "At most 150 characters.")
    elif Group.objects.filter(name=name).exclude(pk=role_id).exists():
        errors.add("name", "A role with this name exists already.")
    areas = list(areas)
    unknown = [a for a in areas if a not in roles_module.AREAS]
    if unknown:
        errors.add("areas", f"Unknown areas: {', '.join(unknown)}.")
    errors.raise_if_any()
    if role_id is None:
        role, before = Group.objects.create(name=name), {}
    else:
        try:
            role = Group.objects.select_for_update().get(pk=role_id)
        except Group.DoesNotExist:
            raise NotFound("Role not found.") from None
        before = {"name": role.name, "areas": sorted(role.permissions.values_list("codename", flat=True))}
        role.name = name
        role.save()
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=areas))
    after = {"name": role.name, "areas": sorted(areas)}
    audit_record(action="role.create" if role_id is None else "role.update", object_type="role",
                 object_id=str(role.pk), object_label=role.name, changes=diff(before, after))
    return role


@transaction.atomic
def api_token_create(*, user: User, scopes: Iterable[str] | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for a staff member; answers (token row, the secret shown once).

    The token gets every scope the staff member holds, or only `scopes` when given (never more).
    """
    held = scopes_of_staff(user)
    if not held:
        raise ValidationFailed("API tokens are issued to active staff members whose roles grant API scopes.",
                               fields={"email": ["This user is not an active staff member with a role."]})
    wanted = set(scopes) if scopes is not None else held
    unknown = wanted - set(ALL_SCOPES)
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}. Known: {', '.join(ALL_SCOPES)}.",
            fields={"scopes": [f"Unknown scope: {s}" for s in sorted(unknown)]},
        )
    not_held = wanted - held
    if not_held:
        raise ValidationFailed(
            f"The staff member does not hold: {', '.join(sorted(not_held))}.",
            fields={"scopes": [f"Not held by this staff member: {s}" for s in sorted(not_held)]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), scopes=sorted(wanted)
    )
    audit_record(action="api_token.create", target=token, object_label=f"{token.prefix}… of {user.email}",
                 changes={"scopes": [None, token.scopes]})
    return token, secret
