"""Staff members: creating one (a login to /staff/ with roles), changing one's names, roles, active
flag or client limitation, and resetting another's password or second factor (issue 14). Each writes
the user row and its roles with an audit event, in one transaction; nobody grants what they do not
hold, nor reaches through another's credentials more than it holds."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record, diff
from clientpanel.core.errors import FieldErrors, NotFound, PermissionDenied, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.locks import lock_one
from clientpanel.core.text import at_most_characters

from .. import policies
from .. import roles as roles_module
from ..actors import ActorLike, as_actor
from ..events import PasswordChanged
from ..models import User
from ..selectors import staff_credentials_refusal, staff_manageable_by, staff_visible_to
from ..two_factor import totp_clear
from .cleaning import area_labels, clean_email, clean_password, clean_roles


def _areas_of_roles(groups: Iterable[Group]) -> set[str]:
    codenames = Permission.objects.filter(group__in=list(groups), content_type__app_label="accounts").values_list(
        "codename", flat=True)
    return set(codenames) & set(roles_module.AREAS)



def _check_grants(actor: ActorLike, errors: FieldErrors, *, added_roles: Iterable[Group], superuser: bool = False,
                  unlimited: bool = False) -> None:
    """Nobody grants what they do not hold: areas, superuser status, or (for a staff member limited
    to assigned clients) access to every client."""
    actor = as_actor(actor)
    if policies.grants_unchecked(actor):
        return
    missing = _areas_of_roles(added_roles) - actor.areas
    if missing:
        errors.add("roles", _("You cannot grant areas you do not hold: %(areas)s.") % {"areas": area_labels(missing)})
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
    groups = clean_roles(roles, errors)
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
        staff = lock_one(User.objects.filter(is_staff=True), _("Staff member not found."), pk=staff_id)
        if not actor.is_system and not staff_manageable_by(actor).filter(pk=staff.pk).exists():
            if staff.is_superuser and staff_visible_to(actor).filter(pk=staff.pk).exists():
                raise PermissionDenied(_("Only superusers change superusers."))
            raise NotFound(_("Staff member not found."))
        errors = FieldErrors()
        current_roles = list(staff.groups.all())
        before = {"firstname": staff.firstname, "lastname": staff.lastname, "is_active": staff.is_active,
                  "limited_to_assigned_clients": staff.limited_to_assigned_clients,
                  "roles": sorted(g.name for g in current_roles)}
        groups = clean_roles(data["roles"], errors) if "roles" in data else None
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



def _staff_for_credentials(actor, staff_id) -> User:
    """The staff member, locked, whose credentials the actor may reset (inside the caller's
    transaction): NotFound for one it does not see, PermissionDenied with the reason otherwise."""
    require(actor.is_system or policies.can_manage_staff(actor), _("Your role does not include managing staff."))
    staff = lock_one(User.objects.filter(is_staff=True), _("Staff member not found."), pk=staff_id)
    if not actor.is_system and not staff_visible_to(actor).filter(pk=staff.pk).exists():
        raise NotFound(_("Staff member not found."))
    refusal = staff_credentials_refusal(actor=actor, staff=staff)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return staff


def staff_password_reset(*, actor: ActorLike, staff_id, new_password: str) -> User:
    """Set a new password for another staff member (who forgot it, or whose password leaked).
    Every session that staff member had ends (Django checks a session against the password hash),
    it is told by e-mail, and the audit event names both. Refused for oneself (the account page
    asks for the present password), for a superuser unless the actor is one, and for a staff member
    holding more than the actor (policies.staff_credentials_refusal). Validated like any password."""
    actor = as_actor(actor)
    with transaction.atomic():
        staff = _staff_for_credentials(actor, staff_id)
        errors = FieldErrors()
        if not isinstance(new_password, str) or not new_password:
            errors.add("password", _("Enter a password."))
        elif len(new_password) > 128:
            errors.add("password", at_most_characters(128))
        else:
            clean_password(new_password, errors, user=staff)
        errors.raise_if_any()
        staff.set_password(new_password)
        staff.save(update_fields=["password"])
        audit_record(action="staff.password_reset", target=staff, changes={"password": ["…", "…"]})
        publish(PasswordChanged(user_id=staff.pk, changed_by_id=actor.user_id))
    return staff


def staff_2fa_reset(*, actor: ActorLike, staff_id) -> User:
    """Forget another staff member's second factor (a lost phone and no recovery codes): its next
    login asks for the password only, and it turns 2FA on again from its account page. The same
    refusals as staff_password_reset; a staff member without 2FA is a field error."""
    actor = as_actor(actor)
    with transaction.atomic():
        staff = _staff_for_credentials(actor, staff_id)
        had_2fa = staff.has_2fa
        if not totp_clear(staff):
            raise ValidationFailed(_("This staff member does not use two-factor authentication."),
                                   fields={"two_factor": [_("There is nothing to reset.")]})
        audit_record(action="staff.2fa_reset", target=staff, changes={"two_factor": [had_2fa, False]})
    return staff
