"""Billing: each period of an ACTIVE service charged once, in advance, from the client's balance —
one service at a time (suspending it when the funds run out) or in batches for the charge job.
Every job is idempotent: running it twice, or on two workers at once, charges nothing twice."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clientpanel.core.ids import new_id, new_id_texts
from clientpanel.ledger.descriptions import SERVICE_HOUR, SERVICE_PERIOD, service_charge
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import (
    InsufficientFunds,
    entries_post_for_clients,
    entries_post_select,
)

from ..calculations import FIXED, MONTHS, PERIOD_WORDS, anchor_day_of, period_charge
from ..locks import locked_service
from ..models import INSUFFICIENT_FUNDS, ChargeKind, Service, ServiceCharge, ServiceStatus
from .common import suspend_service
from .periods import next_period, period_billed, period_post


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
            due = next_period(service)
            try:
                # A period charged by another pass already raises IntegrityError: just move on.
                with contextlib.suppress(IntegrityError):
                    period_post(service, due, check_credit=not (first_over_limit and charged == 0))
                    charged += 1
            except InsufficientFunds:
                suspend = True
            if not suspend:
                period_billed(service, due)
        if suspend:
            suspend_service(service_id, reason=INSUFFICIENT_FUNDS, now=now)
            break
    return charged


MAX_PERIODS_PER_PASS = 1000  # after a long outage, the rest is charged by the next passes


# The one period due of a service whose price the database can compute (every period but ONE_TIME),
# as SQL over `s` (services_service) and `p` (catalog_product): calculations.period_charge, spelled
# out for the set-based pass; tests/integration compare the two on every period.
_HOURLY = "(s.period = 'HOURLY' OR (s.period = 'MONTHLY' AND p.hourly_billing))"
# A period of months ends on the anchor day of the month it ends in, clamped to that month's length,
# at the time of day it started (calculations.add_months); in UTC, the connection's time zone.
_SQL_ANCHOR = "COALESCE(s.billing_anchor_day, extract(day FROM s.billed_until)::int)"


def _sql_months_later(months: int) -> str:
    month = f"date_trunc('month', s.billed_until) + interval '{months} months'"
    return (f"LEAST({month} + make_interval(days => {_SQL_ANCHOR} - 1), {month} + interval '1 month' - "
            "interval '1 day') + (s.billed_until - date_trunc('day', s.billed_until))")


_SQL_END = " ".join([
    "CASE WHEN", _HOURLY, "THEN s.billed_until + interval '1 hour'",
    *(f"WHEN s.period = '{period}' THEN s.billed_until + interval '{delta.total_seconds():.0f} seconds'"
      for period, delta in FIXED.items() if period != "HOURLY"),
    *(f"WHEN s.period = '{period}' THEN {_sql_months_later(months)}"
      for period, months in MONTHS.items()),
    "END"])
# An hourly-billed monthly price per hour of that month (UTC, as hours_in_month), rounded half up.
_SQL_AMOUNT = ("CASE WHEN s.period = 'MONTHLY' AND p.hourly_billing THEN round(s.amount::numeric / (24 * "
               "extract(day FROM date_trunc('month', s.billed_until) + interval '1 month' - interval '1 day')))"
               "::bigint ELSE s.amount END")
_SQL_PRICE = "(b.amount::numeric / 10000)::numeric(30, 4)"  # as units_to_amount writes it: 0.9271, 10.0000
_SQL_IS_HOURLY = _HOURLY.replace("s.", "b.").replace("p.", "b.")
_SQL_WHAT = " ".join([
    "CASE WHEN", _SQL_IS_HOURLY, f"THEN '1h × ' || {_SQL_PRICE} || ' per hour'",
    *(f"WHEN b.period = '{period}' THEN '{words} × ' || {_SQL_PRICE}" for period, words in PERIOD_WORDS.items()),
    "END"])
_SQL_PERIODS = tuple(FIXED) + tuple(MONTHS)
# The batch's services (%(ids)s) with their period: start, end, amount, and the id of the entry that
# charges it (%(entry_ids)s, the same place in the list) — made in Python as every row id is, time-
# ordered (core.ids.new_id), so lists that read the ledger newest first by its key see them in order;
# given, not computed, so both statements name the same entry.
_BATCH_SQL = ("SELECT s.id AS service_id, s.client_id, s.period, p.hourly_billing, s.billed_until AS start, "
              "(" + _SQL_END + ") AS end_at, (" + _SQL_AMOUNT + ") AS amount, e.entry_id "
              "FROM services_service s JOIN catalog_product p ON p.id = s.product_id "
              "JOIN unnest(%(ids)s::uuid[], %(entry_ids)s::uuid[]) AS e (service_id, entry_id) ON e.service_id = s.id "
              "WHERE s.id = ANY(%(ids)s::uuid[])")


@dataclasses.dataclass
class BillingCursor:
    """Where a pass's set-based batches got to (client, service): the next batch starts after it
    instead of reading past every service charged already. What it passes by (locked by another
    worker then) the pass's last, one-by-one sweep of all that is still due charges."""

    client_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None


def _charge_batch_set_based(*, now: dt.datetime, limit: int, cursor: BillingCursor) -> tuple[int, int, list] | None:
    """charge_batch done by PostgreSQL: up to `limit` services with exactly one period due, locked
    with SKIP LOCKED; their entries posted by the ledger from one INSERT … SELECT with one UPDATE of
    the balances (ledger.entries_post_select), then their charges inserted and billed-until times
    moved by one statement. Services of clients whose funds do not cover their part of the batch are
    answered for the one-by-one path. None when no such service is due (the rest — several periods
    due, ONE_TIME prices — goes through Python)."""
    params = {"now": now, "limit": limit, "periods": list(_SQL_PERIODS), "after_client": cursor.client_id,
              "after_service": cursor.service_id}
    after = "" if cursor.client_id is None else "AND (s.client_id, s.id) > (%(after_client)s, %(after_service)s) "
    with connection.cursor() as db:
        db.execute(
            "SELECT s.id, s.client_id, (" + _SQL_AMOUNT + ") > 0 FROM services_service s "  # noqa: S608
            "JOIN catalog_product p ON p.id = s.product_id "
            "WHERE s.status = 'ACTIVE' AND s.billed_until <= %(now)s AND NOT s.cancel_requested "
            "AND s.period = ANY(%(periods)s) AND (" + _SQL_END + ") > %(now)s " + after
            # The products too (shared): their hourly_billing decides a period, and each statement
            # below computes it again — a product changed in between would split a charge in two.
            + "ORDER BY s.client_id, s.id LIMIT %(limit)s FOR UPDATE OF s SKIP LOCKED FOR SHARE OF p", params)
        batch = db.fetchall()
    if not batch:
        return None
    cursor.service_id, cursor.client_id = batch[-1][0], batch[-1][1]
    params["ids"] = [row[0] for row in batch]
    params["entry_ids"] = new_id_texts(len(batch))
    rows = ("SELECT b.entry_id AS id, b.client_id, %(charge)s AS type, -b.amount AS net, "
            "'Service:' || b.service_id || ', ' || " + _SQL_WHAT + " AS description, "
            "CASE WHEN " + _SQL_IS_HOURLY + " THEN %(hour_code)s ELSE %(period_code)s END AS description_code, "
            "CASE WHEN " + _SQL_IS_HOURLY + " THEN jsonb_build_object('service', b.service_id::text, 'rate', "
            + _SQL_PRICE + "::text) ELSE jsonb_build_object('service', b.service_id::text, 'period', b.period, "
            "'amount', " + _SQL_PRICE + "::text) END AS description_params, b.service_id, "
            "b.start AS period_start, b.end_at AS period_end, NULL::uuid AS document_id, b.service_id AS ord "
            "FROM (" + _BATCH_SQL + ") b WHERE b.amount > 0")
    paying = {row[1] for row in batch if row[2]}
    codes = {"charge": EntryType.CHARGE, "hour_code": SERVICE_HOUR, "period_code": SERVICE_PERIOD}
    moved = entries_post_select(rows_sql=rows, params={**params, **codes}, client_ids=paying,
                                check_credit=True)
    refused = paying - moved
    params["refused"] = list(refused)
    with connection.cursor() as db:
        db.execute(
            "WITH b AS MATERIALIZED (" + _BATCH_SQL + " AND NOT s.client_id = ANY(%(refused)s::uuid[])), "  # noqa: S608
            "c AS (INSERT INTO services_servicecharge (service_id, kind, period_start, period_end, amount, "
            "ledger_entry_id, created_at) SELECT b.service_id, %(kind)s, b.start, b.end_at, b.amount, "
            "CASE WHEN b.amount > 0 THEN b.entry_id END, %(created)s FROM b) "
            "UPDATE services_service s SET billed_until = b.end_at, "
            "billing_anchor_day = CASE WHEN " + _SQL_IS_HOURLY + " THEN NULL "  # hours: no day (service_charge_due)
            "ELSE COALESCE(s.billing_anchor_day, extract(day FROM b.start)::int) END "
            "FROM b WHERE s.id = b.service_id",
            {**params, "kind": ChargeKind.PERIOD, "created": timezone.now()})
        charged = db.rowcount
    slow = [row[0] for row in batch if row[1] in refused]
    return charged, charged, slow


def charge_batch(*, now: dt.datetime, limit: int = 500, cursor: BillingCursor | None = None) -> tuple[int, int, list]:
    """Charge the due periods of up to `limit` active services in one transaction: the services are
    locked with SKIP LOCKED, so several workers split the work instead of waiting on each other;
    each client's charges post as one ledger write. A client whose funds do not cover all its
    charges is left to service_charge_due, one period at a time (which suspends when they run
    out). Answers (services charged, charges, services left for the one-by-one path). On PostgreSQL
    the services with one period due are charged set-based first (_charge_batch_set_based)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            done = _charge_batch_set_based(now=now, limit=limit, cursor=cursor or BillingCursor())
            if done is not None:
                return done
        batch = list(Service.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(status=ServiceStatus.ACTIVE, billed_until__lte=now, cancel_requested=False)
                     .select_related("product")
                     .order_by("client_id", "id")[:limit])
        if not batch:
            return 0, 0, []
        plans: dict = {}
        for service in batch:
            periods, start = [], service.billed_until
            # Unset (a row made by hand): the first period charged fixes it, for all that follow.
            if service.billing_anchor_day is None and start is not None:
                service.billing_anchor_day = anchor_day_of(start)
            while start is not None and start <= now and len(periods) < MAX_PERIODS_PER_PASS:
                charge = period_charge(period=service.period, amount=service.amount,
                                       hourly_billing=service.product.hourly_billing, start=start,
                                       anchor_day=service.billing_anchor_day)
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
                        entries.append({"id": new_id(), "type": EntryType.CHARGE, "net": -p.amount,
                                        **service_charge(service_id=service.pk, period=service.period,
                                                         amount=p.amount, hourly=p.hourly),
                                        "service_id": service.pk, "period_start": p.start, "period_end": p.end})
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
                if periods[-1].hourly:  # hours have no day of the month (service_charge_due)
                    service.billing_anchor_day = None
                updated.append(service)
        ServiceCharge.objects.bulk_create(charges, batch_size=1000)
        _set_billed_until(updated)
    return len(updated), len(charges), slow


def _set_billed_until(services: list[Service]) -> None:
    """One UPDATE for the whole batch (bulk_update's CASE over 500 rows is much slower): billed_until
    and the anchor day (set by the first period charged when nothing set it before)."""
    if not services:
        return
    pk_field, when_field = Service._meta.pk, Service._meta.get_field("billed_until")
    values = ", ".join(["(%s, %s, %s)"] * len(services))
    params: list = []
    for service in services:
        params += [pk_field.get_db_prep_value(service.pk, connection),
                   when_field.get_db_prep_value(service.billed_until, connection), service.billing_anchor_day]
    cast, day_cast = ("::timestamptz", "::smallint") if connection.vendor == "postgresql" else ("", "")
    with connection.cursor() as cursor:
        cursor.execute(f"WITH v(sid, until, anchor) AS (VALUES {values}) UPDATE services_service "  # noqa: S608
                       f"SET billed_until = v.until{cast}, billing_anchor_day = v.anchor{day_cast} "
                       "FROM v WHERE id = v.sid", params)


def job_charge_services(*, now: dt.datetime, batch: int = 500) -> dict:
    """Charge every active service whose next period has started, in batches (see charge_batch)."""
    services = charged = 0
    handled_one_by_one: set = set()
    cursor = BillingCursor()
    while True:
        done, count, slow = charge_batch(now=now, limit=batch, cursor=cursor)
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

