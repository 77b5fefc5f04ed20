"""Writes for client groups (SPEC §8): create, change and delete a group whose settings its clients
inherit. Each service is one transaction; a change or deletion locks the group row first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, diff, snapshot
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, require
from clientpanel.core.text import is_new_name, name_among
from clientpanel.tax.services import reminder_days

from .. import policies
from ..models import ClientGroup
from ..validation import clean_currency, clean_language
from .cleaning import clean_optional_bool, clean_payment_terms, clean_text_field, run_clean

GROUP_FIELDS = {"name", "colour", "currency", "language", "payment_terms_days", "tax_exempt", "reminders_enabled",
                "reminder_days_before", "reminder_days_overdue"}


def group_save(*, actor: ActorLike, data: Mapping[str, Any], group_id=None) -> ClientGroup:
    """Create a group, or change the fields present in data."""
    actor = as_actor(actor)
    require(policies.can_manage_groups(actor), _("You are not allowed to manage groups."))
    with transaction.atomic():
        if group_id is None:
            group, before = ClientGroup(), {}
        else:
            try:
                group = ClientGroup.objects.select_for_update().get(pk=group_id)
            except (ClientGroup.DoesNotExist, ValueError, TypeError):
                raise NotFound(_("Group not found.")) from None
            before = snapshot(group)
        errors = FieldErrors()
        for name in sorted(set(data) - GROUP_FIELDS):
            errors.add(name, _("Unknown field."))
        if "name" in data or group_id is None:
            name = clean_text_field(errors, "name", data.get("name"), 100, True, _("Name"))
            if name and is_new_name(name, before.get("name")) and name_among(
                    name, ClientGroup.objects.exclude(pk=group.pk).values_list("name", flat=True)):
                errors.add("name", _("A group with this name exists already."))
            group.name = name
        if "colour" in data:
            colour = clean_text_field(errors, "colour", data["colour"], 7, True, _("Colour"))
            if colour and not (len(colour) == 7 and colour[0] == "#"
                               and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
                errors.add("colour", _("Use a colour like #1a2b3c."))
            group.colour = colour
        if "currency" in data:
            group.currency = run_clean(errors, "currency", clean_currency, data["currency"]) if data["currency"] else ""
        if "language" in data:
            group.language = run_clean(errors, "language", clean_language, data["language"]) if data["language"] else ""
        if "payment_terms_days" in data:
            group.payment_terms_days = run_clean(errors, "payment_terms_days", clean_payment_terms,
                                                 data["payment_terms_days"])
        for flag in ("tax_exempt", "reminders_enabled"):
            if flag in data:
                setattr(group, flag, run_clean(errors, flag, clean_optional_bool, data[flag]))
        for field in ("reminder_days_before", "reminder_days_overdue"):
            if field in data:  # blank: the home company's days
                setattr(group, field, reminder_days(data[field], errors, field, blank_ok=True))
        errors.raise_if_any()
        group.save()
        changed = diff(before, snapshot(group))
        audit_record(action="group.create" if not before else "group.update", target=group, changes=changed)
    return group


def group_delete(*, actor: ActorLike, group_id) -> None:
    """Delete a group that no client belongs to. With clients in it the deletion is refused (move
    them first): silently moving clients would change their settings behind staff's back."""
    actor = as_actor(actor)
    require(policies.can_manage_groups(actor), _("You are not allowed to manage groups."))
    with transaction.atomic():
        try:
            group = ClientGroup.objects.select_for_update().get(pk=group_id)
        except (ClientGroup.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Group not found.")) from None
        members = group.clients.count()
        if members:
            raise Conflict(ngettext("%(count)d client is in the group %(group)s; move them to another group first.",
                                    "%(count)d clients are in the group %(group)s; move them to another group first.",
                                    members) % {"count": members, "group": group.name}, code="group_not_empty")
        audit_record(action="group.delete", target=group, changes={"name": [group.name, None]})
        group.delete()
