"""Ending a service, for staff's Terminate, the client's cancellation now and the jobs: a service
that ran is TERMINATED and keeps what it paid (a period cut short stays paid); one that was never
provisioned — its module's create never succeeded — is CANCELLED and what it was charged (its setup
fee, any period) is given back to the balance (docs/decisions.md, "A service never provisioned")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientpanel.ledger.descriptions import SERVICE_CHARGE_REVERSAL, described
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .. import rules
from ..models import Service, ServiceStatus


def service_end_locked(service: Service, *, now: dt.datetime) -> Decimal:
    """End a service the caller holds locked (locks.locked_service), in the caller's transaction:
    CANCELLED with its charges given back when it was never provisioned (rules.never_provisioned),
    else TERMINATED. Answers what was given back (0 for a service that ran). The caller records the
    audit event, tells the subscribers and, for a TERMINATED one, runs the module's terminate."""
    if not rules.never_provisioned(service):
        service.status, service.terminated_at = ServiceStatus.TERMINATED, now
        service.save(update_fields=["status", "terminated_at"])
        return Decimal(0)
    service.status, service.cancelled_at = ServiceStatus.CANCELLED, now
    service.save(update_fields=["status", "cancelled_at"])
    return charges_give_back(service)


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
