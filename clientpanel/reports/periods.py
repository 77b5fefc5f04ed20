"""What every report of Finance → Reports shares: the periods it splits a range into, the filters
it is narrowed by, and the actor's scope (reports/reports.py names the reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from clientpanel.accounts.roles import FINANCE
from clientpanel.clients.models import ClientGroup
from clientpanel.clients.selectors import clients_visible_to, sees_every_client
from clientpanel.core.actor import Actor

from .models import NO_GROUP_KEY
from .zones import home_zone

MONTH, QUARTER = "month", "quarter"
GRANULARITIES = (MONTH, QUARTER)
MAX_MONTHS = 120  # the longest range a report covers: ten years
# The days a report may cover: every moment a report reads (a day's start in any zone, the range's
# last day + 2 for tax_by's margin, the month after its last) stays a date Python and PostgreSQL hold.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
NO_GROUP = "none"  # the group filter's value for the clients in no group


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

    def __post_init__(self) -> None:
        if not (FIRST_DAY <= self.since <= LAST_DAY and FIRST_DAY <= self.until <= LAST_DAY):
            raise ValueError(f"a report covers days from {FIRST_DAY} to {LAST_DAY}")

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

    def truncate(self, field_name: str, tzinfo: dt.tzinfo | None = None):
        """The period of a moment (or of a day, for the daily rollups), in the database; in the
        server's zone unless another is given (a document's own: reports/zones.py)."""
        return (TruncMonth if self.granularity == MONTH else TruncQuarter)(field_name, tzinfo=tzinfo)

    def period_of(self, value) -> dt.date:
        """A TruncMonth / TruncQuarter answer (a datetime on PostgreSQL, maybe a date elsewhere) as
        its period's first day."""
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return _period_start(value, self.granularity)


def default_range(now: dt.datetime, granularity: str = MONTH) -> Range:
    """The last twelve months (or four quarters) up to today, this one included — today in the default
    home company's zone, as the report puts money in its company's days."""
    today = now.astimezone(home_zone()).date()
    first = _add_months(_period_start(today, granularity), -11 if granularity == MONTH else -9)
    return Range(first, today, granularity)


# --- scope and filters -----------------------------------------------------------------------

def may_read_reports(actor: Actor) -> bool:
    return actor.is_system or actor.has_area(FINANCE)


def scoped(queryset: QuerySet, actor: Actor, path: str = "client") -> QuerySet:
    """The rows of the clients the actor sees (clients.selectors.clients_visible_to; no filter at all
    for staff who see every client, as on the dashboard). Staff without the Finance area see none."""
    if not may_read_reports(actor):
        return queryset.none()
    if sees_every_client(actor):
        return queryset
    return queryset.filter(**{f"{path}__in": clients_visible_to(actor)})


def sale_group(document: str = "", client: str = "client__") -> Coalesce:
    """The client group a sale is counted in (NO_GROUP_KEY: none): the one its client was in when it
    was made, kept on its document (Document.client_group_id; `document` is the path to it, "" from
    the documents themselves, "document__" from their payments) — on a document written before that
    was recorded and not filled in yet, its client's present group (the best known of it)."""
    return Coalesce(F(f"{document}client_group_id"), F(f"{client}group_id"), Value(NO_GROUP_KEY),
                    output_field=BigIntegerField())


def in_no_group(key: str) -> Q:
    """The sales in no group, by their group key `key` (sale_group's alias, a rollup's group_id): none
    recorded (NO_GROUP_KEY), or a group deleted since — its id stays on the sale's documents and in the
    rollups, and the breakdowns, which name a group by its id, find no name for it either."""
    return Q(**{key: NO_GROUP_KEY}) | ~Q(**{f"{key}__in": ClientGroup.objects.values("pk")})


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to: a home company (its id), a client group (its id, or NO_GROUP),
    a currency. None: all."""

    company: int | None = None
    group: int | str | None = None
    currency: str | None = None

    def on(self, queryset: QuerySet, *, client: str = "client", company: str | None = "home_company",
           currency: str = "currency", group: Coalesce | None = None) -> QuerySet:
        """Narrow live rows (payments, documents, entries: `client` is the path to their client) — by
        group, the group of the sale (`group`: sale_group) for sales, else the client's present one."""
        if self.company is not None and company is not None:
            queryset = queryset.filter(**{f"{company}_id": self.company})
        if self.group is not None and group is not None:
            queryset = queryset.alias(sale_group=group).filter(
                in_no_group("sale_group") if self.group == NO_GROUP else Q(sale_group=self.group))
        elif self.group == NO_GROUP:
            queryset = queryset.filter(**{f"{client}group__isnull": True})
        elif self.group is not None:
            queryset = queryset.filter(**{f"{client}group_id": self.group})
        if self.currency:
            queryset = queryset.filter(**{currency: self.currency})
        return queryset

    def on_rollup(self, queryset: QuerySet, *, company: bool = True) -> QuerySet:
        """Narrow rollup rows (reports.models: company_id, group_id — 0 for none, and a deleted group's
        id is none too — and currency)."""
        if self.company is not None and company:
            queryset = queryset.filter(company_id=self.company)
        if self.group is not None:
            queryset = queryset.filter(in_no_group("group_id") if self.group == NO_GROUP else Q(group_id=self.group))
        if self.currency:
            queryset = queryset.filter(currency=self.currency)
        return queryset
