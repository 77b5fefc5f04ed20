"""Billing: each period of an ACTIVE service charged once, in advance, from the client's balance —
one service at a time (suspending it when the funds run out) or in batches for the charge job.
Every job is idempotent: running it twice, or on two workers at once, charges nothing twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import InsufficientFunds, entries_post_for_clients, entry_post

from ..calculations import period_charge
from ..locks import locked_service
from ..models import INSUFFICIENT_FUNDS, ChargeKind, Service, ServiceCharge, ServiceStatus
from .common import suspend_service


def charge_post(service: Service, *, kind: str, start, end, amount: Decimal, what: str, check_credit: bool) -> None:
    """Record the charge and post it, atomically; the unique (service, kind, start) row makes a
    second attempt fail with IntegrityError instead of charging twice. A charge posted beyond the
    client's funds (check_credit off: setup fees, the staff override) is logged as such."""
    with transaction.atomic():
        charge = ServiceCharge.objects.create(service=service, kind=kind, period_start=start, period_end=end,
                                              amount=amount)
        if amount > 0:
            entry, _ = entry_post(client_id=service.client_id, type=EntryType.CHARGE, net=-amount,
                                  description=f"Service:{service.pk}, {what}", service_id=service.pk,
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


def service_charge_due(*, service_id, now: dt.datetime, first_over_limit: bool = False) -> int:
    """Charge every period of an ACTIVE service that has started by `now`, each once, in advance
    (missed periods after downtime too). A period the client cannot pay suspends the service
    ("Insufficient funds"), except the first one under the staff override (first_over_limit).
    Answers how many periods were charged."""
    charged = 0
    while True:
        suspend = False
        with transaction.atomic():
            service = locked_service(service_id)
            # A service cancelled at the end of its period is not charged for the next one: the credit
            # job ends it instead.
            if (service.status != ServiceStatus.ACTIVE or service.billed_until is None or service.billed_until > now
                    or service.cancel_requested):
                break
            charge = period_charge(period=service.period, amount=service.amount,
                                   hourly_billing=service.product.hourly_billing, start=service.billed_until)
            # ONE_TIME prices have no periods: the one charge, then nothing more is due.
            start, end, amount, what = ((charge.start, charge.end, charge.amount, charge.what) if charge
                                        else (service.billed_until, None, service.amount, "one-time"))
            try:
                # A period charged by another pass already raises IntegrityError: just move on.
                with contextlib.suppress(IntegrityError):
                    charge_post(service, kind=ChargeKind.PERIOD, start=start, end=end, amount=amount, what=what,
                                check_credit=not (first_over_limit and charged == 0))
                    charged += 1
            except InsufficientFunds:
                suspend = True
            if not suspend:
                service.billed_until = end
                service.save(update_fields=["billed_until"])
        if suspend:
            suspend_service(service_id, reason=INSUFFICIENT_FUNDS, now=now)
            break
    return charged


MAX_PERIODS_PER_PASS = 1000  # after a long outage, the rest is charged by the next passes


def charge_batch(*, now: dt.datetime, limit: int = 500) -> tuple[int, int, list]:
    """Charge the due periods of up to `limit` active services in one transaction: the services are
    locked with SKIP LOCKED, so several workers split the work instead of waiting on each other;
    each client's charges post as one ledger write. A client whose funds do not cover all its
    charges is left to service_charge_due, one period at a time (which suspends when they run
    out). Answers (services charged, charges, services left for the one-by-one path)."""
    with transaction.atomic():
        batch = list(Service.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(status=ServiceStatus.ACTIVE, billed_until__lte=now, cancel_requested=False)
                     .select_related("product")
                     .order_by("client_id", "id")[:limit])
        if not batch:
            return 0, 0, []
        plans: dict = {}
        for service in batch:
            periods, start = [], service.billed_until
            while start is not None and start <= now and len(periods) < MAX_PERIODS_PER_PASS:
                charge = period_charge(period=service.period, amount=service.amount,
                                       hourly_billing=service.product.hourly_billing, start=start)
                if charge is None:
                    break  # ONE_TIME: the one-by-one path charges it
                periods.append(charge)
                start = charge.end
            plans.setdefault(service.client_id, []).append((service, periods))
        entries_by_client, owners = {}, {}
        for client_id, services in plans.items():
            entries = []
            for service, periods in services:
                for p in periods:
                    if p.amount:
                        entries.append({"id": uuid.uuid4(), "type": EntryType.CHARGE, "net": -p.amount,
                                        "description": f"Service:{service.pk}, {p.what}", "service_id": service.pk,
                                        "period_start": p.start, "period_end": p.end})
                        owners[(service.pk, p.start)] = entries[-1]["id"]
            entries_by_client[client_id] = entries
        _posted, refused = entries_post_for_clients(entries_by_client=entries_by_client, check_credit=True)
        charges, updated, slow = [], [], []
        for client_id, services in plans.items():
            for service, periods in services:
                if client_id in refused or not periods:
                    slow.append(service.pk)
                    continue
                charges += [ServiceCharge(service=service, kind=ChargeKind.PERIOD, period_start=p.start,
                                          period_end=p.end, amount=p.amount,
                                          ledger_entry_id=owners.get((service.pk, p.start))) for p in periods]
                service.billed_until = periods[-1].end
                updated.append(service)
        ServiceCharge.objects.bulk_create(charges, batch_size=1000)
        _set_billed_until(updated)
    return len(updated), len(charges), slow


def _set_billed_until(services: list[Service]) -> None:
    """One UPDATE for the whole batch (bulk_update's CASE over 500 rows is much slower)."""
    if not services:
        return
    pk_field, when_field = Service._meta.pk, Service._meta.get_field("billed_until")
    values = ", ".join(["(%s, %s)"] * len(services))
    params: list = []
    for service in services:
        params += [pk_field.get_db_prep_value(service.pk, connection),
                   when_field.get_db_prep_value(service.billed_until, connection)]
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"WITH v(sid, until) AS (VALUES {values}) UPDATE services_service "  # noqa: S608
                       f"SET billed_until = v.until{cast} FROM v WHERE id = v.sid", params)


def job_charge_services(*, now: dt.datetime, batch: int = 500) -> dict:
    """Charge every active service whose next period has started, in batches (see charge_batch)."""
    services = charged = 0
    handled_one_by_one: set = set()
    while True:
        done, count, slow = charge_batch(now=now, limit=batch)
        services += done
        charged += count
        fresh = [service_id for service_id in slow if service_id not in handled_one_by_one]
        for service_id in fresh:
            charged += service_charge_due(service_id=service_id, now=now)
            services += 1
        handled_one_by_one.update(fresh)
        if not done and not fresh:
            break
    return {"services": services, "charges": charged}

