"""Ending a service, for staff's Terminate, the client's cancellation now and the jobs: a service
that ran is TERMINATED and keeps what it paid (a period cut short stays paid); one that was never
provisioned — its module's create never succeeded — is CANCELLED and what it was charged (its setup
fee, any period) is given back to the balance (docs/decisions.md, "A service never provisioned");
its module's terminate still runs when a create was attempted, which may have built it anyway."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from clientpanel.ledger.descriptions import SERVICE_CHARGE_REVERSAL, described
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .. import rules
from ..models import Service, ServiceStatus
from .common import record_module_result, run_module


def service_end_locked(service: Service, *, now: dt.datetime) -> Decimal:
    """End a service the caller holds locked (locks.locked_service), in the caller's transaction:
    CANCELLED with its charges given back when it was never provisioned (rules.never_provisioned),
    else TERMINATED. Answers what was given back (0 for a service that ran). The caller records the
    audit event, tells the subscribers and, for a TERMINATED one, runs the module's terminate. A
    CANCELLED one whose create was attempted (rules.create_may_have_built: a create that failed, timed
    out or crashed may have built it anyway) has its module's terminate run here once the caller's
    transaction commits — by whichever path ended it (staff's Terminate, the client's Cancel now, the
    pending job); its charges are given back all the same."""
    if not rules.never_provisioned(service):
        service.status, service.terminated_at = ServiceStatus.TERMINATED, now
        service.save(update_fields=["status", "terminated_at"])
        return Decimal(0)
    service.status, service.cancelled_at = ServiceStatus.CANCELLED, now
    service.save(update_fields=["status", "cancelled_at"])
    create_ran = service.provisioning_events.filter(action="create").exists()
    if rules.create_may_have_built(service, create_ran=create_ran):
        terminate_after_commit(service.pk)
    return charges_give_back(service)


def terminate_after_commit(service_id) -> None:
    """Run the module's terminate of an ended service once the transaction that ended it commits
    (never for one rolled back), outside its locks; its outcome is recorded as any step's is (a
    failure: provision ERROR, which staff retry)."""
    # A lambda, not a functools.partial: robust on_commit logs a failure by the callback's
    # __qualname__, which a partial has not (the log line itself would raise).
    transaction.on_commit(lambda: _module_terminate(service_id), robust=True)


def _module_terminate(service_id) -> None:
    service = Service.objects.select_related("product").get(pk=service_id)
    ok, message = run_module(service, "terminate")
    record_module_result(service.pk, ok, message)


def reversal_changes(given_back: Decimal) -> dict:
    """The audit event's record of what ending the service gave back (nothing when nothing was)."""
    return {"charge_reversed": [None, str(given_back)]} if given_back else {}


def charges_give_back(service: Service) -> Decimal:
    """Give back every charge the service posted (setup fee, periods), each by an ADJUSTMENT entry
    of its amount through the ledger, tied to the service and described as the reversal of that
    charge. Once per charge, whatever happens: each reversal's transaction ID names the entry it
    reverses, so a second call (a repeated or raced action) posts nothing — the service's lock and
    status already see to that; the ledger's unique transaction ID makes it a database rule, as the
    charge itself is once per period. Answers what this call gave back. Balance after service: the
    ledger's lock order."""
    given = Decimal(0)
    for charge in service.charges.filter(amount__gt=0, ledger_entry_id__isnull=False).order_by("period_start", "id"):
        _entry, created = entry_post(
            client_id=service.client_id, type=EntryType.ADJUSTMENT, net=charge.amount, service_id=service.pk,
            transaction_id=f"charge-reversal:{charge.ledger_entry_id}",
            **described(SERVICE_CHARGE_REVERSAL, service=service.pk, amount=charge.amount))
        if created:
            given += charge.amount
    return given
