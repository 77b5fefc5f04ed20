"""Writes for staff assignments (SPEC §4): which clients a staff member limited to assigned clients
sees, and the Settings → Staff page that saves a staff member with them. One transaction each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User
from clientpanel.accounts.selectors import staff_manageable_by
from clientpanel.accounts.services import staff_update
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.locks import lock_one

from .. import policies
from ..models import Client, StaffAssignment
from ..selectors import client_ids_by_number, clients_visible_to


def staff_assignments_set(*, actor: ActorLike, staff_id, client_ids: list) -> list[StaffAssignment]:
    """Replace the clients assigned to a staff member. A staff actor reaches only staff it manages
    (accounts' staff_manageable_by) and assigns only clients it sees (others are answered like
    unknown ones); nobody changes their own assignments (issue 9)."""
    actor = as_actor(actor)
    require(policies.can_manage_staff(actor), _("You are not allowed to manage staff."))
    with transaction.atomic():
        staff = lock_one(User.objects.filter(is_staff=True), _("Staff member not found."), pk=staff_id)
        if not actor.is_system and not staff_manageable_by(actor).filter(pk=staff.pk).exists():
            raise NotFound(_("Staff member not found."))
        assignable = clients_visible_to(actor)
        wanted = set()
        errors = FieldErrors()
        for value in client_ids:
            try:
                wanted.add(assignable.only("id").get(pk=value).pk)
            except (Client.DoesNotExist, ValueError, TypeError, DjangoValidationError):
                errors.add("clients", _("There is no client %(client)s.") % {"client": repr(value)})
        current = set(StaffAssignment.objects.filter(staff=staff).values_list("client_id", flat=True))
        if actor.user_id == staff.pk and wanted != current:
            errors.add("clients", _("You cannot change your own assigned clients; ask another staff manager."))
        errors.raise_if_any()
        StaffAssignment.objects.filter(staff=staff, client_id__in=current - wanted).delete()
        StaffAssignment.objects.bulk_create([StaffAssignment(staff=staff, client_id=c) for c in wanted - current])
        if current != wanted:
            audit_record(action="staff.assign_clients", target=staff,
                         changes={"clients": [sorted(map(str, current)), sorted(map(str, wanted))]})
    return list(StaffAssignment.objects.filter(staff=staff))


def staff_member_update(*, actor: ActorLike, staff_id, data: Mapping[str, Any],
                        client_numbers: list[str]) -> User:
    """Settings → Staff → a staff member: names, roles, active flag, limitation (accounts'
    staff_update) and assigned clients by number, in one transaction. Both refuse a staff member
    outside the actor's limits, and numbers of clients the actor does not see are answered like
    unknown ones."""
    actor = as_actor(actor)
    require(policies.can_manage_staff(actor), _("You are not allowed to manage staff."))
    with transaction.atomic():
        client_ids, unknown = client_ids_by_number(actor=actor, numbers=client_numbers)
        if unknown:
            raise ValidationFailed.from_fields({"clients": [
                _("No client has the number %(numbers)s.") % {"numbers": ", ".join(unknown)}]})
        staff = staff_update(actor=actor, staff_id=staff_id, data=dict(data))
        staff_assignments_set(actor=actor, staff_id=staff_id, client_ids=client_ids)
    return staff
