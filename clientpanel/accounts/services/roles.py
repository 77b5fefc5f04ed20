"""Roles: creating or changing one — its name and the staff areas it grants (the accounts app's
permissions). Writes the group and its permissions with an audit event, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record, diff
from clientpanel.core.errors import FieldErrors, NotFound, require
from clientpanel.core.text import at_most_characters, has_visible_text, is_new_name, name_among, text_problem

from .. import policies
from .. import roles as roles_module
from ..actors import ActorLike, as_actor
from .cleaning import area_labels


def _check_role_name(errors: FieldErrors, name: str, role_id, stored: str | None) -> None:
    if name == stored:
        return  # a name kept as it is (one from before these rules too) is not judged again
    if not name or not has_visible_text(name):
        errors.add("name", _("Enter a name."))
    elif problem := text_problem(name, single_line=True):
        errors.add("name", problem)
    elif len(name) > 150:
        errors.add("name", at_most_characters(150))
    elif is_new_name(name, stored) and name_among(  # "support", "Support"
            name, Group.objects.exclude(pk=role_id).values_list("name", flat=True)):
        errors.add("name", _("A role with this name exists already."))


@transaction.atomic
def role_save(*, actor: ActorLike, name: str, areas: Iterable[str], role_id: int | None = None) -> Group:
    """Create or change a role: a name and the staff areas it grants.

    A staff actor (not a superuser) adds only areas it holds and leaves the areas of a role it holds
    itself alone (that would change its own roles); one limited to assigned clients changes no
    role at all, since roles are shared with staff outside its limits."""
    actor = as_actor(actor)
    # The staff panel's page asks for Manage staff too; the rule is the service's, whoever calls it.
    require(policies.can_manage_staff(actor), _("Your role does not include managing staff."))
    require(policies.can_change_roles(actor), _("Roles are shared by staff outside your assigned clients; "
                                                "a staff member limited to assigned clients cannot change them."))
    errors = FieldErrors()
    name = (name or "").strip()
    try:
        stored = Group.objects.filter(pk=role_id).values_list("name", flat=True).first() if role_id else None
    except (ValueError, TypeError):
        stored = None  # not a role's id: "Role not found." below
    _check_role_name(errors, name, role_id, stored)
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
                       % {"areas": area_labels(missing)})
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

