"""Finance → Reports (issue 14): revenue, tax collected, aging of unpaid documents, and balances and
credit by client group — Perfex's "reports by groups".

Selectors only: each report applies the actor's scope once (staff limited to their assigned clients
see their clients' figures only), adds up in the database with GROUP BY (a constant number of
queries, however many documents there are) and keeps every amount per currency, never added across
currencies. Periods (months or quarters) are read in the server's time zone, as on the dashboard.

Revenue is money in, as on the dashboard: payments received (gross, by the moment they were paid)
minus credit notes issued (their total, by issue date). A payment that tops up a balance is not
revenue of any product yet; what the services then consume is shown as "usage by product": the
charges posted to the ledger (−net of CHARGE entries) per product of their service
(docs/decisions.md, "Reports (issue 14)")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Round, TruncMonth, TruncQuarter
from django.utils import timezone

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.client_services.models import Service
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.actor import Actor
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.tax.models import HomeCompany

MONTH, QUARTER = "month", "quarter"
GRANULARITIES = (MONTH, QUARTER)
MAX_MONTHS = 120  # the longest range a report covers: ten years
MAX_TAXES = 3  # a tax rule names up to three taxes (SPEC §6), so a document has up to three tax lines
AGING_LISTED = 500  # the unpaid documents listed under the buckets, most overdue first
NO_GROUP = "none"  # the group filter's value for the clients in no group
ZERO = Decimal("0.0000")


# --- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A calendar month or quarter: from start (included) to end (excluded)."""

    start: dt.date
    end: dt.date
    granularity: str

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def code(self) -> str:
        """"2025-01" or "2025-Q1": how the CSV names it."""
        return f"{self.start:%Y-%m}" if self.granularity == MONTH else f"{self.start.year}-Q{self.quarter}"


def _period_start(day: dt.date, granularity: str) -> dt.date:
    month = day.month if granularity == MONTH else (day.month - 1) // 3 * 3 + 1
    return dt.date(day.year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_between(since: dt.date, until: dt.date, granularity: str) -> list[Period]:
    """The months or quarters from since's to until's, both included, oldest first."""
    step = 1 if granularity == MONTH else 3
    start, last = _period_start(since, granularity), _period_start(until, granularity)
    periods = []
    while start <= last:
        end = _add_months(start, step)
        periods.append(Period(start, end, granularity))
        start = end
    return periods


def months_between(since: dt.date, until: dt.date) -> int:
    return (until.year - since.year) * 12 + until.month - since.month + 1


@dataclass(frozen=True)
class Range:
    """The days a report covers (both included, local dates) and how it splits them."""

    since: dt.date
    until: dt.date
    granularity: str = MONTH

    @property
    def periods(self) -> list[Period]:
        return periods_between(self.since, self.until, self.granularity)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.since, dt.time()))

    @property
    def end(self) -> dt.datetime:
        """The first moment after the range."""
        return timezone.make_aware(dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time()))

    def truncate(self, field_name: str):
        return (TruncMonth if self.granularity == MONTH else TruncQuarter)(field_name)

    def period_of(self, value) -> dt.date:
        """A TruncMonth / TruncQuarter answer (a datetime on PostgreSQL, maybe a date elsewhere) as
        its period's first day."""
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return _period_start(value, self.granularity)


def default_range(now: dt.datetime, granularity: str = MONTH) -> Range:
    """The last twelve months (or four quarters) up to today, this one included."""
    today = timezone.localtime(now).date()
    first = _add_months(_period_start(today, granularity), -11 if granularity == MONTH else -9)
    return Range(first, today, granularity)


# --- scope and filters -----------------------------------------------------------------------

def _sees_every_client(actor: Actor) -> bool:
    return actor.is_system or (actor.is_staff_side and actor.has_area(VIEW_CLIENTS) and not actor.limited_to_assigned)


def _scoped(queryset: QuerySet, actor: Actor, path: str = "client") -> QuerySet:
    """The rows of the clients the actor sees (clients.selectors.clients_visible_to; no filter at all
    for staff who see every client, as on the dashboard). Staff without the Finance area see none."""
    if not (actor.is_system or actor.has_area(FINANCE)):
        return queryset.none()
    if _sees_every_client(actor):
        return queryset
    return queryset.filter(**{f"{path}__in": clients_visible_to(actor)})


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to: a home company (its id), a client group (its id, or NO_GROUP),
    a currency. None: all."""

    company: int | None = None
    group: int | str | None = None
    currency: str | None = None

    def on(self, queryset: QuerySet, *, client: str = "client", company: str | None = "home_company",
           currency: str = "currency") -> QuerySet:
        if self.company is not None and company is not None:
            queryset = queryset.filter(**{f"{company}_id": self.company})
        if self.group == NO_GROUP:
            queryset = queryset.filter(**{f"{client}group__isnull": True})
        elif self.group is not None:
            queryset = queryset.filter(**{f"{client}group_id": self.group})
        if self.currency:
            queryset = queryset.filter(**{currency: self.currency})
        return queryset


# --- 1. revenue ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Revenue:
    """Money in for one period, home company or group, in one currency."""

    currency: str
    key: object  # the period's first day, the home company's or group's name (None: no group)
    payments: Decimal = ZERO
    refunds: Decimal = ZERO  # credit notes issued, as a positive amount

    @property
    def revenue(self) -> Decimal:
        return self.payments - self.refunds


@dataclass(frozen=True)
class Usage:
    """The charges posted to one product's services in one currency (net, as the ledger posts them)."""

    currency: str
    product: str | None  # None: charges of items sold outside a service
    charges: int
    amount: Decimal


@dataclass
class RevenueReport:
    span: Range
    by_period: dict[str, list[Revenue]] = field(default_factory=dict)  # currency → one per period
    by_company: list[Revenue] = field(default_factory=list)
    by_group: list[Revenue] = field(default_factory=list)
    by_product: list[Usage] = field(default_factory=list)

    @property
    def totals(self) -> list[Revenue]:
        return [Revenue(currency, None, sum((r.payments for r in rows), ZERO), sum((r.refunds for r in rows), ZERO))
                for currency, rows in self.by_period.items()]


def revenue_report(*, actor: ActorLike, span: Range, filters: Filters | None = None) -> RevenueReport:
    """Payments received less credit notes issued within the range, per currency: by period, by
    home company (the document's), by client group (the client's now) — and the charges posted to
    services in the range by product. Three queries."""
    actor, filters = as_actor(actor), filters or Filters()
    report = RevenueReport(span=span)
    keys = ("currency", "period", "company", "group")
    payments = (filters.on(_scoped(Payment.objects.filter(paid_at__gte=span.start, paid_at__lt=span.end), actor),
                           client="client__", company="document__home_company", currency="document__currency")
                .annotate(period=span.truncate("paid_at"), currency=F("document__currency"),
                          company=F("document__home_company__name"), group=F("client__group__name"))
                .values(*keys).annotate(amount=Sum("gross")).order_by())
    notes = (filters.on(_scoped(Document.objects.filter(type=DocumentType.CREDIT_NOTE, issue_date__gte=span.start,
                                                        issue_date__lt=span.end), actor), client="client__")
             .annotate(period=span.truncate("issue_date"), company=F("home_company__name"),
                       group=F("client__group__name"))
             .values(*keys).annotate(amount=Sum("total")).order_by())
    paid: dict = defaultdict(lambda: defaultdict(lambda: ZERO))  # breakdown → (currency, key) → amount
    refunded: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for rows, into, sign in ((payments, paid, 1), (notes, refunded, -1)):  # a credit note's total is negative
        for row in rows:
            amount = sign * row["amount"]
            into["period"][row["currency"], span.period_of(row["period"])] += amount
            into["company"][row["currency"], row["company"]] += amount
            into["group"][row["currency"], row["group"]] += amount
    currencies = sorted({currency for currency, _key in [*paid["period"], *refunded["period"]]})
    report.by_period = {currency: [Revenue(currency, period.start, paid["period"][currency, period.start],
                                           refunded["period"][currency, period.start])
                                   for period in span.periods] for currency in currencies}
    for breakdown, into in (("company", report.by_company), ("group", report.by_group)):
        found = {*paid[breakdown], *refunded[breakdown]}
        into.extend(Revenue(currency, key, paid[breakdown][currency, key], refunded[breakdown][currency, key])
                    for currency, key in sorted(found, key=lambda k: (k[0], k[1] is None, k[1] or "")))
    report.by_product = _usage(actor, span, filters)
    return report


def _usage(actor: Actor, span: Range, filters: Filters) -> list[Usage]:
    """Charges posted in the range, per currency and product of their service (one query; the
    service is named on the entry by id, so its product is looked up in a subquery). The home
    company filter does not narrow usage: a charge is posted to a balance, not billed by a company."""
    service = Service.objects.filter(pk=OuterRef("service_id"))
    rows = (filters.on(_scoped(LedgerEntry.objects.filter(type=EntryType.CHARGE, created_at__gte=span.start,
                                                          created_at__lt=span.end), actor),
                       client="client__", company=None, currency="client__currency")
            .annotate(currency=F("client__currency"), product_id=Subquery(service.values("product_id")[:1]),
                      product=Subquery(service.values("product__name")[:1]))
            .values("currency", "product_id", "product")
            .annotate(charges=Count("id"), amount=Sum("net"))
            .order_by())
    usage = [Usage(row["currency"], row["product"], row["charges"], -row["amount"]) for row in rows]
    usage.sort(key=lambda u: (u.currency, u.product is None, -u.amount, u.product or ""))
    return usage


# --- 2. tax collected ------------------------------------------------------------------------

@dataclass(frozen=True)
class TaxRow:
    """Tax of one name and rate on the invoices and credit notes of one period, home company,
    currency and client country (credit notes take theirs off: their net and tax are negative)."""

    period: dt.date
    company: str
    currency: str
    country: str
    name: str
    rate: Decimal
    documents: int
    net: Decimal  # the net the tax was charged on
    tax: Decimal


@dataclass(frozen=True)
class UntaxedRow:
    """Sales without tax of one period, home company, currency and country: reverse-charge sales
    (the buyer accounts for the VAT) or sales no tax rule taxed (exempt, outside the rules)."""

    period: dt.date
    company: str
    currency: str
    country: str
    documents: int
    net: Decimal


@dataclass
class TaxReport:
    span: Range
    rates: list[TaxRow] = field(default_factory=list)
    reverse_charge: list[UntaxedRow] = field(default_factory=list)
    untaxed: list[UntaxedRow] = field(default_factory=list)

    @property
    def tax_by_period(self) -> dict[str, list[tuple[dt.date, Decimal]]]:
        """Currency → the tax collected per period (every rate added up), for the chart."""
        sums: dict = defaultdict(lambda: ZERO)
        for row in self.rates:
            sums[row.currency, row.period] += row.tax
        return {currency: [(period.start, sums[currency, period.start]) for period in self.span.periods]
                for currency in sorted({currency for currency, _period in sums})}


def _line(index: int, key: str) -> KeyTextTransform:
    return KeyTextTransform(key, KeyTransform(str(index), "tax_lines"))


def _line_amount_units(index: int):
    """The tax line's amount (a string in the JSON, "4.60") as integer 1/10,000 units, so that the
    sum is exact on SQLite too (SPEC §5); read back as Decimal through AmountField."""
    amount = Cast(_line(index, "amount"), DecimalField(max_digits=20, decimal_places=4))
    return Cast(Round(amount * Value(Decimal(10000), output_field=DecimalField(max_digits=20, decimal_places=4))),
                BigIntegerField())


def tax_report(*, actor: ActorLike, span: Range, filters: Filters | None = None) -> TaxReport:
    """Tax collected per home company, period, currency, client country (the billing address kept
    on the document at issue), tax name and rate, from the invoices and credit notes issued in the
    range (proformas are not tax documents: their final invoice is); reverse-charge sales and sales
    without tax apart, with their net. One query: documents grouped by their up to three tax lines."""
    actor, filters = as_actor(actor), filters or Filters()
    lines = {}
    for index in range(MAX_TAXES):
        lines[f"name{index}"] = _line(index, "name")
        lines[f"rate{index}"] = _line(index, "rate")
    sums = {f"amount{index}": Sum(_line_amount_units(index), output_field=AmountField()) for index in range(MAX_TAXES)}
    rows = (filters.on(_scoped(Document.objects.filter(type__in=[DocumentType.INVOICE, DocumentType.CREDIT_NOTE],
                                                       number__isnull=False, issue_date__gte=span.start,
                                                       issue_date__lt=span.end), actor), client="client__")
            .annotate(period=span.truncate("issue_date"), company=F("home_company__name"),
                      country=KeyTextTransform("country", "billing_address"), **lines)
            .values("period", "company", "currency", "country", "reverse_charge", *lines)
            .annotate(documents=Count("id"), net_sum=Sum("net"), **sums)
            .order_by())
    report = TaxReport(span=span)
    rates: dict = defaultdict(lambda: [0, ZERO, ZERO])
    reverse: dict = defaultdict(lambda: [0, ZERO])
    untaxed: dict = defaultdict(lambda: [0, ZERO])
    for row in rows:
        where = (span.period_of(row["period"]), row["company"], row["currency"], row["country"] or "")
        named = [(row[f"name{i}"], row[f"rate{i}"], row[f"amount{i}"] or ZERO) for i in range(MAX_TAXES)
                 if row[f"name{i}"] is not None]
        if row["reverse_charge"] or not named:
            into = reverse if row["reverse_charge"] else untaxed
            into[where][0] += row["documents"]
            into[where][1] += row["net_sum"]
            continue
        for name, rate, amount in named:  # taxes add, never compound: each is charged on the whole net
            entry = rates[(*where, name, Decimal(rate))]
            entry[0] += row["documents"]
            entry[1] += row["net_sum"]
            entry[2] += amount
    report.rates = sorted((TaxRow(*key, *value) for key, value in rates.items()),
                          key=lambda r: (r.period, r.company, r.currency, r.country, r.name, r.rate))
    report.reverse_charge = sorted((UntaxedRow(*key, *value) for key, value in reverse.items()),
                                   key=lambda r: (r.period, r.company, r.currency, r.country))
    report.untaxed = sorted((UntaxedRow(*key, *value) for key, value in untaxed.items()),
                            key=lambda r: (r.period, r.company, r.currency, r.country))
    return report


# --- 3. aging --------------------------------------------------------------------------------

NOT_DUE, DAYS_30, DAYS_60, DAYS_90, OVER_90 = "not_due", "0_30", "31_60", "61_90", "over_90"
BUCKETS = (NOT_DUE, DAYS_30, DAYS_60, DAYS_90, OVER_90)


def bucket_of(days_overdue: int | None) -> str:
    """The bucket of a document overdue by so many whole days (None or negative: not yet due)."""
    if days_overdue is None or days_overdue < 0:
        return NOT_DUE
    return DAYS_30 if days_overdue <= 30 else DAYS_60 if days_overdue <= 60 else \
        DAYS_90 if days_overdue <= 90 else OVER_90


@dataclass(frozen=True)
class Bucket:
    key: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class AgingLine:
    """What one currency's unpaid documents owe, bucket by bucket, in BUCKETS' order."""

    currency: str
    buckets: list[Bucket]

    @property
    def count(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def amount(self) -> Decimal:
        return sum((bucket.amount for bucket in self.buckets), ZERO)


@dataclass(frozen=True)
class Unpaid:
    document_id: object
    number: str
    type: str
    client_number: str
    client_name: str
    company: str
    currency: str
    issue_date: dt.datetime | None
    due_date: dt.datetime | None
    total: Decimal
    due: Decimal
    days_overdue: int | None  # negative: due in so many days

    @property
    def bucket(self) -> str:
        return bucket_of(self.days_overdue)


@dataclass
class AgingReport:
    now: dt.datetime
    lines: list[AgingLine] = field(default_factory=list)
    documents: list[Unpaid] = field(default_factory=list)  # the first AGING_LISTED, most overdue first
    count: int = 0  # every unpaid document's


def aging_report(*, actor: ActorLike, now: dt.datetime, filters: Filters | None = None) -> AgingReport:
    """The UNPAID proformas and invoices, what is due on them (total − paid so far) in buckets of
    days past their due date at `now` — not yet due, 0–30, 31–60, 61–90, over 90 — per currency;
    and the documents themselves, most overdue first. Two queries."""
    actor, filters = as_actor(actor), filters or Filters()
    unpaid = filters.on(_scoped(Document.objects.filter(status=DocumentStatus.UNPAID,
                                                        type__in=[DocumentType.PROFORMA, DocumentType.INVOICE]),
                                actor), client="client__")
    due = F("total") - F("paid_gross")
    day = dt.timedelta(days=1)
    within = {  # due_date ranges: overdue by 0–30 whole days means due within the last 31 days, and so on
        NOT_DUE: Q(due_date__gt=now) | Q(due_date__isnull=True),
        DAYS_30: Q(due_date__lte=now, due_date__gt=now - 31 * day),
        DAYS_60: Q(due_date__lte=now - 31 * day, due_date__gt=now - 61 * day),
        DAYS_90: Q(due_date__lte=now - 61 * day, due_date__gt=now - 91 * day),
        OVER_90: Q(due_date__lte=now - 91 * day),
    }
    sums = {}
    for key, condition in within.items():
        sums[f"n_{key}"] = Count("id", filter=condition)
        sums[f"a_{key}"] = Sum(due, filter=condition, output_field=AmountField())
    rows = unpaid.values("currency").annotate(**sums).order_by("currency")
    report = AgingReport(now=now)
    report.lines = [AgingLine(row["currency"], [Bucket(key, row[f"n_{key}"], row[f"a_{key}"] or ZERO)
                                                for key in BUCKETS]) for row in rows]
    report.count = sum(line.count for line in report.lines)
    listed = (unpaid.select_related("client", "home_company")
              .only("number", "type", "currency", "issue_date", "due_date", "total", "paid_gross",
                    "client__number", "client__display_name", "home_company__name")
              .order_by(F("due_date").asc(nulls_last=True), "number")[:AGING_LISTED])
    report.documents = [Unpaid(d.pk, d.number, d.type, d.client.number, d.client.display_name, d.home_company.name,
                               d.currency, d.issue_date, d.due_date, d.total, d.total - d.paid_gross,
                               _days_overdue(d.due_date, now)) for d in listed]
    return report


def _days_overdue(due_date: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days since the due date (0 on the day it fell due; negative before it)."""
    if due_date is None:
        return None
    if due_date > now:
        return -((due_date - now).days + 1)
    return (now - due_date).days


# --- 4. balances and credit by group ---------------------------------------------------------

@dataclass(frozen=True)
class GroupBalances:
    currency: str
    group_id: int | None
    group: str | None  # None: the clients in no group
    clients: int
    balance: Decimal  # every balance added up
    credit_used: Decimal  # what the clients below zero owe, as a positive amount
    in_debit: int
    credit_limit: Decimal  # the credit limits added up


def balances_report(*, actor: ActorLike, filters: Filters | None = None) -> list[GroupBalances]:
    """Per client group (and the clients in none) and currency: how many clients, their balances
    added up, the credit they use (−balance of those below zero) and their credit limits. One query."""
    actor, filters = as_actor(actor), filters or Filters()
    below = Q(balance__lt=0)
    rows = (filters.on(_scoped(Client.objects.all(), actor, "pk"), client="", company=None)
            .values("currency", "group_id", "group__name")
            .annotate(clients=Count("id"), balances=Sum("balance"), debit=Sum("balance", filter=below),
                      in_debit=Count("id", filter=below), limits=Sum("credit_limit"))
            .order_by())
    found = [GroupBalances(row["currency"], row["group_id"], row["group__name"], row["clients"],
                           row["balances"] or ZERO, -(row["debit"] or ZERO), row["in_debit"], row["limits"] or ZERO)
             for row in rows]
    found.sort(key=lambda g: (g.currency, g.group is None, g.group or ""))
    return found


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The home companies and the client groups a report may be narrowed to, as (id, name). Two queries."""
    companies = list(HomeCompany.objects.order_by("name", "pk").values_list("pk", "name"))
    groups = list(ClientGroup.objects.order_by("name").values_list("pk", "name"))
    return companies, groups
