"""Daily rollups for Finance → Reports (issue 14): at a million clients a year of payments, credit
notes, tax lines and charges takes seconds to add up, so the `roll_up_reports` job keeps them added
up per day (the server's time zone; a tax document's tax on the day its company dated it, in the
zone kept on the document), per currency, home company, client group, tax rate, country
and product (reports.models). A report for staff who see every client reads the rollups for what
was written before `RollupState.rolled_until` and adds up live only what was written since;
staff limited to their assigned clients get everything added up live (theirs are few).

"Written" is when a row came to be — a payment's created_at, a document's issue date (set when it
takes its number), a ledger entry's created_at — never the date it is reported under: a payment
recorded today as paid last March lands in March's rollup. The job rolls up to MARGIN before now,
so a transaction still open when it runs is picked up by the next run (none of ours stays open for
minutes); `manage.py rebuild_report_rollups` adds everything up again from scratch.

The same grouped queries serve the live part and the rollups: `payments_by`, `credit_notes_by`,
`tax_by` and `charges_by` group rows by a bucket (a period, or a day) and the rollups' keys."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Round, TruncDate
from django.utils import timezone

from clientpanel.client_services.models import Service
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentType, Payment
from clientpanel.ledger.models import EntryType, LedgerEntry

from .models import NO_GROUP_KEY, DailyRevenue, DailyTax, DailyUsage, RollupState
from .periods import sale_group
from .reversals import charge_reversals, reversals_by

STATE_KEY = "reports"
MARGIN = dt.timedelta(minutes=10)  # what was written this recently is always added up live
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # rolled up until then: nothing is
NIL = uuid.UUID(int=0)  # DailyUsage's product of charges outside a service
MAX_TAXES = 3  # a tax rule names up to three taxes (SPEC §6), so a document has up to three tax lines
ZERO = Decimal("0.0000")


class MoneyIn:
    """Payments less refunds (credit notes, as a positive amount): the revenue of a period, home
    company or group. Mixed into the report rows that carry both."""

    payments: Decimal
    refunds: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.payments - self.refunds


@dataclass(frozen=True)
class Written:
    """The rows written from `since` (included) to `until` (excluded); None: no bound."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def on(self, queryset: QuerySet, column: str) -> QuerySet:
        if self.since is not None:
            queryset = queryset.filter(**{f"{column}__gte": self.since})
        if self.until is not None:
            queryset = queryset.filter(**{f"{column}__lt": self.until})
        return queryset


def rolled_until() -> dt.datetime | None:
    """Up to when the rollups hold what was written (None: there are none in this time zone yet, so
    every figure is added up live)."""
    state = RollupState.objects.filter(key=STATE_KEY).values_list("rolled_until", "time_zone").first()
    if state is None or state[1] != timezone.get_current_timezone_name():
        return None
    return state[0]


# --- what is added up: by a bucket and the rollups' keys ---------------------------------------

def _grouped(queryset: QuerySet, bucket, keys: dict, fields: tuple[str, ...] = ()) -> QuerySet:
    """The rows grouped by a bucket (None: none), the annotated keys and the model's own `fields`."""
    if bucket is not None:
        keys = {"bucket": bucket, **keys}
    return queryset.annotate(**keys).values(*keys, *fields).order_by()


def payments_by(payments: QuerySet[Payment], bucket) -> QuerySet:
    """Payments received (gross) per bucket (over paid_at), currency, home company and client group
    (their proforma's: the sale's, reports.periods.sale_group)."""
    return _grouped(payments, bucket, {"currency": F("document__currency"), "company": F("document__home_company_id"),
                                       "group": sale_group("document__")}).annotate(amount=Sum("gross"))


def credit_notes_by(notes: QuerySet[Document], bucket) -> QuerySet:
    """Credit notes' totals (negative) per bucket (over issue_date), currency, home company and group."""
    return _grouped(notes, bucket, {"company": F("home_company_id"), "group": sale_group()}, ("currency",)
                    ).annotate(amount=Sum("total"))


def charges_by(entries: QuerySet[LedgerEntry], bucket) -> QuerySet:
    """CHARGE entries (count and net, negative) per bucket, currency, client group and the product of
    their service (named on the entry by id, so looked up in a subquery)."""
    service = Service.objects.filter(pk=OuterRef("service_id"))
    return _grouped(entries, bucket, {"currency": F("client__currency"), "group": F("client__group_id"),
                                      "product": Subquery(service.values("product_id")[:1], output_field=UUIDField())}
                    ).annotate(charges=Count("id"), amount=Sum("net"))


def credit_notes(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    return (documents if documents is not None else Document.objects.all()).filter(type=DocumentType.CREDIT_NOTE)


def tax_documents(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Invoices and credit notes with their number (proformas are not tax documents: their final
    invoice is)."""
    return (documents if documents is not None else Document.objects.all()).filter(
        type__in=[DocumentType.INVOICE, DocumentType.CREDIT_NOTE], number__isnull=False)


def _line(index: int, key: str) -> KeyTextTransform:
    return KeyTextTransform(key, KeyTransform(str(index), "tax_lines"))


def _line_amount_units(index: int):
    """The tax line's amount (a string in the JSON, "4.60") as integer 1/10,000 units, so that the
    sum is exact on SQLite too (SPEC §5); read back as Decimal through AmountField."""
    amount = Cast(_line(index, "amount"), DecimalField(max_digits=20, decimal_places=4))
    return Cast(Round(amount * Value(Decimal(10000), output_field=DecimalField(max_digits=20, decimal_places=4))),
                BigIntegerField())


TaxKey = tuple  # (day or period start, company id, group id or None, currency, country, kind, tax name, rate)


def document_zone(name: str | None) -> dt.tzinfo:
    """The zone a document was dated in (its company's at issue, kept in its snapshot): the day
    printed on it, in its number and its e-invoice. A snapshot without one: the server's zone, as its
    PDF reads it."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _day_in(value, zone: dt.tzinfo) -> dt.date | None:
    """A truncated moment (an aware datetime on PostgreSQL, maybe a date elsewhere) as the day it
    starts in `zone`."""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).date() if timezone.is_aware(value) else value.date()
    return value


def tax_by(documents: QuerySet[Document], bucket: Callable[[dt.tzinfo], Any] | None, *,
           since: dt.date | None = None, until: dt.date | None = None) -> dict[TaxKey, list]:
    """Tax per bucket (over issue_date), home company, group, currency, client country (the billing
    address kept at issue), and tax name and rate — [documents, net, tax] under each; reverse-charge
    sales and sales without tax under the kinds DailyTax.REVERSE_CHARGE and UNTAXED, with their net.
    Taxes add, never compound, so each is charged on the document's whole net.

    A tax document belongs to the day its company dated it (the VAT return's period): `bucket(zone)`
    truncates issue_date in the zone the document was issued in, and `since`–`until` (days, both
    included) are read in it too — a Warsaw invoice issued at 00:30 on 1 December is December's
    whatever the server's zone. The buckets come back as the days they start on. One query per zone
    the documents were issued in (and one to find those zones), each grouping documents by their up
    to three tax lines."""
    lines = {}
    for index in range(MAX_TAXES):
        lines[f"name{index}"] = _line(index, "name")
        lines[f"rate{index}"] = _line(index, "rate")
    sums = {f"amount{index}": Sum(_line_amount_units(index), output_field=AmountField()) for index in range(MAX_TAXES)}
    if since is not None and until is not None:
        # No zone is more than a day off UTC: the zones' own bounds are applied below.
        documents = documents.filter(
            issue_date__gte=dt.datetime.combine(since - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
            issue_date__lt=dt.datetime.combine(until + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC))
    zones = documents.values_list("company_snapshot__time_zone", flat=True).distinct().order_by()
    facts: dict = defaultdict(lambda: [0, ZERO, ZERO])
    for name in sorted(set(zones), key=lambda z: z or ""):
        zone = document_zone(name)
        # No zone kept: the key missing, or JSON null.
        part = documents.filter(company_snapshot__time_zone=name) if name is not None else documents.filter(
            Q(company_snapshot__time_zone__isnull=True) | Q(company_snapshot__time_zone=None))
        if since is not None and until is not None:
            part = part.filter(issue_date__gte=dt.datetime.combine(since, dt.time(), tzinfo=zone),
                               issue_date__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(),
                                                                  tzinfo=zone))
        rows = _grouped(part, bucket(zone) if bucket is not None else None,
                        {"company": F("home_company_id"), "group": sale_group(),
                         "country": KeyTextTransform("country", "billing_address"), **lines},
                        ("currency", "reverse_charge")).annotate(documents=Count("id"), net_sum=Sum("net"), **sums)
        for row in rows:
            where = (_day_in(row.get("bucket"), zone), row["company"], row["group"], row["currency"],
                     row["country"] or "")
            named = [(row[f"name{i}"], Decimal(row[f"rate{i}"]), row[f"amount{i}"] or ZERO)
                     for i in range(MAX_TAXES) if row[f"name{i}"] is not None]
            if row["reverse_charge"] or not named:
                entry = facts[(*where, DailyTax.REVERSE_CHARGE if row["reverse_charge"] else DailyTax.UNTAXED, "",
                               ZERO)]
                entry[0] += row["documents"]
                entry[1] += row["net_sum"]
                continue
            for name_, rate, amount in named:
                entry = facts[(*where, DailyTax.RATE, name_, rate)]
                entry[0] += row["documents"]
                entry[1] += row["net_sum"]
                entry[2] += amount
    return facts


# --- the job ------------------------------------------------------------------------------------

def rollups_refresh(*, until: dt.datetime | None = None) -> dict[str, int]:
    """Add what was written since the last run, up to `until` (MARGIN before now unless given), to
    the daily rollups, in one transaction under the state row's lock (two runs never add the same
    rows). A change of the server's time zone adds everything up again in the new one."""
    until = until or timezone.now() - MARGIN
    zone = timezone.get_current_timezone_name()
    with transaction.atomic():
        RollupState.objects.get_or_create(key=STATE_KEY, defaults={"rolled_until": EPOCH, "time_zone": zone})
        state = RollupState.objects.select_for_update().get(key=STATE_KEY)
        if state.time_zone != zone:
            _clear()
            state.rolled_until, state.time_zone = EPOCH, zone
        if until <= state.rolled_until:
            return {"rows": 0}
        written = Written(state.rolled_until, until)
        revenue: dict = defaultdict(lambda: [ZERO, ZERO])
        for row in payments_by(written.on(Payment.objects.all(), "created_at"), TruncDate("paid_at")):
            revenue[row["bucket"], row["currency"], row["company"], row["group"] or NO_GROUP_KEY][0] += row["amount"]
        for row in credit_notes_by(written.on(credit_notes(), "issue_date"), TruncDate("issue_date")):
            revenue[row["bucket"], row["currency"], row["company"], row["group"] or NO_GROUP_KEY][1] -= row["amount"]
        taxes = {(day, company, group or NO_GROUP_KEY, *rest): values for (day, company, group, *rest), values
                 in tax_by(written.on(tax_documents(), "issue_date"),
                           lambda zone: TruncDate("issue_date", tzinfo=zone)).items()}
        usage: dict = defaultdict(lambda: [0, ZERO, ZERO])  # charges, charged, reversed by credit notes
        for row in charges_by(written.on(LedgerEntry.objects.filter(type=EntryType.CHARGE), "created_at"),
                              TruncDate("created_at")):
            usage[row["bucket"], row["currency"], row["group"] or NO_GROUP_KEY, row["product"] or NIL][:2] = \
                row["charges"], -row["amount"]
        for (day, currency, group, product), amount in reversals_by(written.on(charge_reversals(), "created_at"),
                                                                    TruncDate("created_at")).items():
            usage[day, currency, group or NO_GROUP_KEY, product or NIL][2] += amount
        rows = (_add(DailyRevenue, ("day", "currency", "company_id", "group_id"), ("payments", "refunds"), revenue)
                + _add(DailyTax, ("day", "company_id", "group_id", "currency", "country", "kind", "name", "rate"),
                       ("documents", "net", "tax"), taxes)
                + _add(DailyUsage, ("day", "currency", "group_id", "product_id"), ("charges", "amount", "reversed"),
                       usage))
        state.rolled_until = until
        state.save()
    return {"rows": rows}


def rollups_rebuild() -> dict[str, int]:
    """Throw the rollups away and add everything up again (manage.py rebuild_report_rollups)."""
    zone = timezone.get_current_timezone_name()
    with transaction.atomic():
        # Under the state row's lock, as a refresh takes it: a run going on meanwhile either finished
        # before the rows are cleared or waits, so nothing it adds survives to be added again.
        RollupState.objects.get_or_create(key=STATE_KEY, defaults={"rolled_until": EPOCH, "time_zone": zone})
        RollupState.objects.select_for_update().get(key=STATE_KEY)
        _clear()
        RollupState.objects.filter(key=STATE_KEY).update(rolled_until=EPOCH, time_zone=zone)
        return rollups_refresh()


def job_roll_up_reports(*, now: dt.datetime) -> dict:
    """The automation job: `now` is the pass's moment, but what counts is when rows were written,
    by the real clock (a pass run --at a later moment must not skip rows written before it)."""
    return rollups_refresh()


def _clear() -> None:
    for model in (DailyRevenue, DailyTax, DailyUsage):
        model.objects.all().delete()


def _add(model: type[Model], keys: tuple[str, ...], values: tuple[str, ...], deltas: dict[tuple, Iterable]) -> int:
    """Add each key's values to its row (made when there is none yet); the rows of the days touched
    are read once. Answers how many rows were written."""
    if not deltas:
        return 0
    days = {key[0] for key in deltas}
    existing = {tuple(getattr(row, name) for name in keys): row for row in model.objects.filter(day__in=days)}
    changed, made = [], []
    for key, delta in deltas.items():
        row = existing.get(key)
        if row is None:
            made.append(model(**dict(zip(keys, key, strict=True)), **dict(zip(values, delta, strict=True))))
            continue
        for name, amount in zip(values, delta, strict=True):
            setattr(row, name, getattr(row, name) + amount)
        changed.append(row)
    model.objects.bulk_update(changed, values, batch_size=1000)
    model.objects.bulk_create(made, batch_size=1000)
    return len(changed) + len(made)
