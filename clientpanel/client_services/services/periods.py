"""One charge of a service (SPEC §9): the charge row and its ledger entry, atomically, and the
period due from its billed_until — what billing's passes, provisioning's first period and a
retry share."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import transaction

from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.ledger.descriptions import service_charge
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from ..calculations import anchor_day_of, period_charge
from ..models import ChargeKind, Service, ServiceCharge


def charge_post(service: Service, *, kind: str, start, end, amount: Decimal, description: dict,
                check_credit: bool) -> None:
    """Record the charge and post it, atomically; the unique (service, kind, start) row makes a
    second attempt fail with IntegrityError instead of charging twice. A charge posted beyond the
    client's funds (check_credit off: setup fees, the staff override) is logged as such.
    `description`: the entry's description columns (ledger.descriptions.service_charge)."""
    with transaction.atomic():
        charge = ServiceCharge.objects.create(service=service, kind=kind, period_start=start, period_end=end,
                                              amount=amount)
        if amount > 0:
            entry, _ = entry_post(client_id=service.client_id, type=EntryType.CHARGE, net=-amount,
                                  **description, service_id=service.pk,
                                  period_start=start, period_end=end, check_credit=check_credit)
            ServiceCharge.objects.filter(pk=charge.pk).update(ledger_entry_id=entry.pk)
            # With check_credit the post itself refused anything beyond the limit: only an unchecked
            # charge (setup fee, staff override) can land there, so only it needs the limit read.
            if not check_credit and entry.balance_after + Client.objects.only("credit_limit").get(
                    pk=service.client_id).credit_limit < 0:
                audit_record(action="service.charge_over_limit", target=service, client_id=service.client_id,
                             object_label=str(service),
                             changes={"charge": [None, str(amount)], "balance": [str(entry.balance_before),
                                                                                 str(entry.balance_after)]})


@dataclasses.dataclass(frozen=True)
class DuePeriod:
    """The period of a service that starts at its billed_until, and its charge."""

    start: dt.datetime
    end: dt.datetime | None
    amount: Decimal
    hourly: bool
    has_period: bool


def next_period(service: Service) -> DuePeriod:
    charge = period_charge(period=service.period, amount=service.amount, hourly_billing=service.product.hourly_billing,
                           start=service.billed_until, anchor_day=service.billing_anchor_day)
    if charge is None:  # ONE_TIME prices have no periods: the one charge, then nothing more is due.
        return DuePeriod(service.billed_until, None, service.amount, hourly=False, has_period=False)
    return DuePeriod(charge.start, charge.end, charge.amount, hourly=charge.hourly, has_period=True)


def period_post(service: Service, due: DuePeriod, *, check_credit: bool) -> None:
    charge_post(service, kind=ChargeKind.PERIOD, start=due.start, end=due.end, amount=due.amount,
                check_credit=check_credit, description=service_charge(
                    service_id=service.pk, period=service.period if due.has_period else None, amount=due.amount,
                    hourly=due.hourly))


def period_billed(service: Service, due: DuePeriod) -> None:
    """The service billed until the period's end. Hours have no day of the month: an hour charged
    clears the anchor, so the first month after the product turned to monthly billing starts where
    the hours ended (not a day before the activation's day, charged as a whole month). Otherwise the
    first period charged fixes the anchor when nothing set it (rows made by hand)."""
    if due.hourly:
        service.billing_anchor_day = None
    elif service.billing_anchor_day is None:
        service.billing_anchor_day = anchor_day_of(due.start)
    service.billed_until = due.end
    service.save(update_fields=["billed_until", "billing_anchor_day"])
