"""Finance → Reports (issue 14): where unpaid documents and balances stand now — aging of what is
due on unpaid proformas and invoices, and balances and credit by client group. Amounts stay per
currency, never added across currencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.selectors import sees_every_client
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.tax.models import HomeCompany

from .models import DashboardSnapshot
from .periods import NO_GROUP, Filters, may_read_reports, scoped
from .zones import document_zone

BALANCES_KEY = "balances_by_group"  # the DashboardSnapshot of balances_report over every client
AGING_LISTED = 100  # the unpaid documents listed under the buckets, most overdue first (Documents lists all)
ZERO = Decimal("0.0000")


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
    zone: dt.tzinfo | None = None  # the zone it was dated in (its company's at issue); None: the server's

    @property
    def bucket(self) -> str:
        return bucket_of(self.days_overdue)

    @property
    def issue_day(self) -> dt.date | None:
        """The day printed on the document (its number's), as Finance → Documents lists it."""
        return self._day(self.issue_date)

    @property
    def due_day(self) -> dt.date | None:
        return self._day(self.due_date)

    def _day(self, moment: dt.datetime | None) -> dt.date | None:
        return None if moment is None else timezone.localdate(moment, self.zone)


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
    unpaid = filters.on(scoped(Document.objects.filter(status=DocumentStatus.UNPAID,
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
        # Count a column the partial index holds (currency, never empty), not the id: the index answers alone.
        sums[f"n_{key}"] = Count("currency", filter=condition)
        sums[f"a_{key}"] = Sum(due, filter=condition, output_field=AmountField())
    rows = unpaid.values("currency").annotate(**sums).order_by("currency")
    report = AgingReport(now=now)
    report.lines = [AgingLine(row["currency"], [Bucket(key, row[f"n_{key}"], row[f"a_{key}"] or ZERO)
                                                for key in BUCKETS]) for row in rows]
    report.count = sum(line.count for line in report.lines)
    listed = (unpaid.select_related("client", "home_company")
              .only("number", "type", "currency", "issue_date", "due_date", "total", "paid_gross",
                    "client__number", "client__display_name", "home_company__name")
              .annotate(zone_name=KeyTextTransform("time_zone", "company_snapshot"))
              .order_by(F("due_date").asc(nulls_last=True), "number")[:AGING_LISTED])
    report.documents = [Unpaid(d.pk, d.number, d.type, d.client.number, d.client.display_name, d.home_company.name,
                               d.currency, d.issue_date, d.due_date, d.total, d.total - d.paid_gross,
                               _days_overdue(d.due_date, now), document_zone(d.zone_name)) for d in listed]
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


@dataclass
class BalancesReport:
    rows: list[GroupBalances]
    as_of: dt.datetime | None = None  # when the figures were added up (None: just now)


def balances_report(*, actor: ActorLike, filters: Filters | None = None, live: bool = False) -> BalancesReport:
    """Per client group (and the clients in none) and currency: how many clients, their balances
    added up, the credit they use (−balance of those below zero) and their credit limits. Staff who
    see every client read the figures the dashboard's job keeps (a million balances take half a
    second to add up; BALANCES_KEY, as of its last run) unless `live`; staff limited to their clients
    get theirs added up now. A constant number of queries."""
    actor, filters = as_actor(actor), filters or Filters()
    if not (may_read_reports(actor) and sees_every_client(actor)) or live:
        return BalancesReport(_group_balances(scoped(Client.objects.all(), actor, "pk"), filters))
    snapshot = DashboardSnapshot.objects.filter(key=BALANCES_KEY).first() or balances_refresh(now=timezone.now())
    names = dict(ClientGroup.objects.values_list("pk", "name"))
    rows = [GroupBalances(currency, group, names.get(group), clients, Decimal(balance), Decimal(used), in_debit,
                          Decimal(limits))
            for currency, group, clients, balance, used, in_debit, limits in snapshot.figures["rows"]]
    wanted = None if filters.group is None else (None if filters.group == NO_GROUP else filters.group)
    rows = [row for row in rows if (filters.group is None or row.group_id == wanted)
            and (not filters.currency or row.currency == filters.currency)]
    rows.sort(key=lambda g: (g.currency, g.group is None, g.group or ""))
    return BalancesReport(rows, snapshot.computed_at)


def balances_refresh(*, now: dt.datetime) -> DashboardSnapshot:
    """Add every client's balance up per group and currency again and keep it (refresh_dashboard)."""
    rows = [[row.currency, row.group_id, row.clients, str(row.balance), str(row.credit_used), row.in_debit,
             str(row.credit_limit)] for row in _group_balances(Client.objects.all(), Filters())]
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        key=BALANCES_KEY, defaults={"computed_at": now, "figures": {"rows": rows}})
    return snapshot


def _group_balances(clients, filters: Filters) -> list[GroupBalances]:
    below = Q(balance_row__balance__lt=0)
    rows = (filters.on(clients, client="", company=None)
            .values("currency", "group_id", "group__name")
            .annotate(clients=Count("id"), balances=Sum("balance_row__balance"),
                      debit=Sum("balance_row__balance", filter=below),
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
