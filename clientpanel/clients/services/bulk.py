"""Bulk actions on clients (issue 13): one change applied client by client, as a background task
(automation/background.py), each client in its own transaction through the service that makes the
change for one client — so its validation, its audit event and its client.updated event happen per
client, and a client that refuses does not stop the others.

The task runs without the request: the staff member who started it is rebuilt from its id as it is
now (its roles and scope may have changed since the click) and is the actor of every change."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import staff_actor
from clientpanel.accounts.models import User
from clientpanel.core.actor import Actor, acting_as
from clientpanel.core.errors import DomainError, PermissionDenied, ValidationFailed, require
from clientpanel.core.ids import uuid_or_none

from .. import policies
from ..selectors import clients_visible_to
from ..selectors.selection import BULK_LIMIT, ID_CHUNK
from ..validation import FieldInvalid
from .cleaning import clean_group, clean_status
from .clients import client_update

log = logging.getLogger(__name__)

# A result lists at most this many failures by client (each with its reason); the count has them all.
MAX_LISTED_FAILURES = 1_000


def bulk_actor(actor_id: object, ip: str | None = None) -> Actor:
    """The staff member who started a bulk action, with its areas and scope as they are now (none
    once deactivated), so a right lost between the click and the run is refused."""
    key = uuid_or_none(actor_id)
    user = User.objects.filter(pk=key, is_staff=True).first() if key else None
    if user is None:
        raise PermissionDenied(_("The staff member who started this task no longer exists."))
    return staff_actor(user, ip=ip)


def _reason(error: DomainError) -> str:
    fields = " ".join(message for messages in error.fields.values() for message in messages)
    return fields or error.message


def clients_bulk_apply(*, actor: Actor, client_ids: list, progress: Callable[..., None],
                       apply: Callable[[Any], Mapping[str, int]]) -> dict:
    """Call apply(client_id) for each client, in the order given, as the actor (audit trail); each
    call is its own transaction (the service's). A client the actor does not see (any more) and a
    client whose change is refused are failures with their reason; the others go on. Answers the
    result a bulk task keeps: counts (apply answers the counts each client adds) and failures."""
    if len(client_ids) > BULK_LIMIT:
        raise ValidationFailed(_("A bulk action takes at most %(limit)s clients.") % {"limit": BULK_LIMIT})
    total = len(client_ids)
    visible: dict[str, tuple[str, str]] = {}
    scope = clients_visible_to(actor)
    for start in range(0, total, ID_CHUNK):
        chunk = [str(client_id) for client_id in client_ids[start:start + ID_CHUNK]]
        visible.update((str(pk), (number, name)) for pk, number, name in
                       scope.filter(pk__in=chunk).values_list("pk", "number", "display_name"))
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    progress(0, total)
    # The reasons are read on the result page by the staff member: in its language.
    with acting_as(actor), translation.override(getattr(actor.user, "language", None) or None):
        for done, client_id in enumerate(map(str, client_ids), start=1):
            number, name = visible.get(client_id, ("", ""))
            reason = None
            if client_id not in visible:
                # Unknown and out of scope read the same: nothing is said of clients one may not see.
                reason = _("Client not found.")
            else:
                try:
                    counts.update(apply(client_id))
                except DomainError as error:
                    reason = _reason(error)
                except Exception:
                    log.exception("bulk action on client %s failed", client_id)
                    reason = _("An unexpected error; nothing of this client was changed.")
            if reason is not None:
                counts["failed"] += 1
                if len(failures) < MAX_LISTED_FAILURES:
                    failures.append({"client_id": client_id, "number": number, "name": name, "reason": reason})
            progress(done, total)
    return {"counts": {"selected": total, **counts, "failed": counts["failed"]}, "failures": failures,
            "failures_not_listed": max(0, counts["failed"] - len(failures))}


def clients_bulk_update(*, progress: Callable[..., None], actor_id: str, client_ids: list, action: str,
                        value: object, ip: str | None = None) -> dict:
    """Background task "clients.bulk": set the status or the group of each client (client_update,
    one transaction, one audit event and one client.updated event per client changed). The staff
    member must still hold Edit clients and see each client; the status or group is checked once
    before any client is touched (a task that cannot do anything changes nothing)."""
    actor = bulk_actor(actor_id, ip)
    require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    if action == "status":
        try:
            status = clean_status(value)
        except FieldInvalid as error:
            raise ValidationFailed(str(error), fields={"status": [str(error)]}) from None
        data: dict[str, Any] = {"status": status}
        described = status
    elif action == "group":
        try:
            group = clean_group(value)
        except FieldInvalid as error:
            raise ValidationFailed(str(error), fields={"group": [str(error)]}) from None
        data = {"group": group.pk if group else None}
        described = group.name if group else ""
    else:
        raise ValidationFailed(_("Unknown bulk action %(action)s.") % {"action": repr(str(action)[:20])})
    field = action

    def apply(client_id) -> dict[str, int]:
        # One transaction per client: the value before is read under the row lock client_update
        # takes again (a savepoint of this transaction), so "already so" is exact.
        with transaction.atomic():
            locked = clients_visible_to(actor).select_for_update(of=("self",), no_key=True).filter(pk=client_id)
            before = locked.values_list("group_id" if field == "group" else "status", flat=True).first()
            client_update(actor=actor, client_id=client_id, data=data)
        return {"changed" if before != data[field] else "unchanged": 1}

    result = clients_bulk_apply(actor=actor, client_ids=client_ids, progress=progress, apply=apply)
    return {"action": action, "value": described, **result}
