"""The staff dashboard's figures (issue 14): what a billing business checks every morning, each
scoped to what the staff member may see — the finance figures to staff with the Finance area,
the clients' and services' to those who see clients (limited staff: their assigned clients only).
(Automation's health: automation.selectors.job_health.) Amounts are kept per currency and never added across
currencies. A constant number of queries, however many clients, documents and services there are.

Revenue is money in: payments received (gross, as the client paid) minus credit notes issued
(their total), by the month the money moved, in the server's time zone."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.client_services.calculations import charges_between
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_status_counts, clients_visible_to, sees_every_client
from clientpanel.core.actor import SYSTEM, Actor
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment

from .models import DashboardSnapshot
from .rollups import ZERO, MoneyIn
from .standing import balances_refresh

ALL = "all"  # the snapshot of every client
MONTHS = 12
UPCOMING_DAYS = 7
AT_RISK_SHOWN = 10


@dataclass(frozen=True)
class Month(MoneyIn):
    start: dt.date
    payments: Decimal = ZERO
    refunds: Decimal = ZERO


@dataclass(frozen=True)
class Owing:
    currency: str
    count: int
    total: Decimal
    overdue_count: int
    overdue_total: Decimal
    oldest_due: dt.datetime | None


@dataclass(frozen=True)
class Balances:
    currency: str
    clients: int
    balance: Decimal  # all the clients' balances added up
    credit_used: Decimal  # what the clients below zero owe, as a positive amount
    in_debit: int  # clients below zero


@dataclass(frozen=True)
class AtRisk:
    """A client whose next days' charges exceed its balance and credit: its services will be
    suspended for lack of funds unless money comes in."""

    client_id: object
    number: str
    name: str
    currency: str
    services: int
    charges: Decimal
    available: Decimal

    @property
    def shortfall(self) -> Decimal:
        return self.charges - self.available


@dataclass
class Dashboard:
    now: dt.datetime  # the moment the figures are of
    months: list[dt.date]
    computed_at: dt.datetime | None = None
    finance: bool = False
    clients: bool = False
    revenue: dict[str, list[Month]] = field(default_factory=dict)  # currency → 12 months, oldest first
    owing: list[Owing] = field(default_factory=list)
    balances: list[Balances] = field(default_factory=list)
    client_statuses: dict[str, int] = field(default_factory=dict)  # status → count
    new_clients: list[tuple[dt.date, int]] = field(default_factory=list)
    services: dict[str, int] = field(default_factory=dict)  # status → count
    services_in_error: int = 0
    upcoming: dict[str, Decimal] = field(default_factory=dict)  # currency → charges of the next 7 days
    upcoming_services: int = 0
    at_risk: list[AtRisk] = field(default_factory=list)  # the first AT_RISK_SHOWN, largest shortfall first
    at_risk_clients: int = 0
    at_risk_services: int = 0

    @property
    def revenue_bars(self) -> dict[str, list[tuple[dt.date, Decimal]]]:
        return {currency: [(month.start, month.revenue) for month in months]
                for currency, months in self.revenue.items()}

    @property
    def this_month(self) -> dict[str, Month]:
        return {currency: months[-1] for currency, months in self.revenue.items()}

    @property
    def last_month(self) -> dict[str, Month]:
        return {currency: months[-2] for currency, months in self.revenue.items()}


def month_starts(now: dt.datetime, count: int = MONTHS) -> list[dt.date]:
    """The first days of the `count` months up to and including now's (local time), oldest first."""
    today = timezone.localtime(now).date().replace(day=1)
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _start_of(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(month.year, month.month, 1))


def _scoped(queryset: QuerySet, actor: Actor, path: str = "client") -> QuerySet:
    """The rows of the clients the actor sees (no filter at all for staff who see every client:
    a semi-join against a million clients would cost more than the figure)."""
    if sees_every_client(actor):
        return queryset
    return queryset.filter(**{f"{path}__in": clients_visible_to(actor)})


def _month_key(value) -> dt.date:
    """TruncMonth's answer (a datetime on PostgreSQL, maybe a date elsewhere) as a local date."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def dashboard_figures(*, actor: ActorLike, now: dt.datetime | None = None, live: bool = False) -> Dashboard:
    """The figures the actor may see. Staff who see every client get the last snapshot (computed
    now if there is none yet) unless `live`; staff limited to their clients get theirs added up now."""
    actor = as_actor(actor)
    now = now or timezone.now()
    if sees_every_client(actor) and not live:
        snapshot = DashboardSnapshot.objects.filter(key=ALL).first() or dashboard_refresh(now=now)
        figures = _from_json(snapshot.figures)
        figures.computed_at = snapshot.computed_at
    else:
        figures = _computed(actor, now)
    figures.clients = actor.has_area(VIEW_CLIENTS)
    figures.finance = figures.clients and actor.has_area(FINANCE)
    if not figures.finance:
        figures.revenue, figures.owing = {}, []
    if not figures.clients:
        figures.balances, figures.new_clients, figures.services, figures.upcoming, figures.at_risk = [], [], {}, {}, []
        figures.client_statuses = {}
        figures.services_in_error = figures.upcoming_services = figures.at_risk_clients = figures.at_risk_services = 0
    return figures


def _computed(actor: Actor, now: dt.datetime) -> Dashboard:
    """Every figure of the clients the actor sees, added up now (each part only for the areas
    that show it)."""
    figures = Dashboard(now=now, months=month_starts(now), computed_at=now)
    since = _start_of(figures.months[0])
    if actor.has_area(VIEW_CLIENTS) and actor.has_area(FINANCE):
        figures.revenue = _revenue(actor, figures.months, since)
        figures.owing = _owing(actor, now)
    if actor.has_area(VIEW_CLIENTS):
        figures.balances = _balances(actor)
        figures.client_statuses = client_status_counts(actor=actor)
        figures.new_clients = _new_clients(actor, figures.months, since)
        figures.services, figures.services_in_error = _services(actor)
        _upcoming(figures, actor, now)
    return figures


def dashboard_refresh(*, now: dt.datetime) -> DashboardSnapshot:
    """Add up the figures over every client and keep them as the snapshot."""
    figures = _computed(SYSTEM, now)
    balances_refresh(now=now)  # Finance → Reports → Balances by group: the same moment's figures
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        key=ALL, defaults={"computed_at": now, "figures": _to_json(figures)})
    return snapshot


def job_refresh_dashboard(*, now: dt.datetime) -> dict:
    """Recompute the dashboard's snapshot when it is older than CLIENTPANEL_DASHBOARD_REFRESH_MINUTES
    (the job runs on every automation pass; the adding up takes seconds at a million clients)."""
    minutes = int(settings.CLIENTPANEL_DASHBOARD_REFRESH_MINUTES)
    fresh = DashboardSnapshot.objects.filter(key=ALL, computed_at__gt=now - dt.timedelta(minutes=minutes),
                                             computed_at__lte=now).exists()
    if fresh:
        return {"refreshed": 0}
    dashboard_refresh(now=now)
    return {"refreshed": 1}


def _to_json(figures: Dashboard) -> dict[str, Any]:
    return {
        "now": figures.now.isoformat(), "months": [month.isoformat() for month in figures.months],
        "revenue": {currency: [[m.start.isoformat(), str(m.payments), str(m.refunds)] for m in months]
                    for currency, months in figures.revenue.items()},
        "owing": [[o.currency, o.count, str(o.total), o.overdue_count, str(o.overdue_total),
                   o.oldest_due.isoformat() if o.oldest_due else None] for o in figures.owing],
        "balances": [[b.currency, b.clients, str(b.balance), str(b.credit_used), b.in_debit] for b in figures.balances],
        "client_statuses": figures.client_statuses,
        "new_clients": [[month.isoformat(), n] for month, n in figures.new_clients],
        "services": figures.services, "services_in_error": figures.services_in_error,
        "upcoming": {currency: str(amount) for currency, amount in figures.upcoming.items()},
        "upcoming_services": figures.upcoming_services,
        "at_risk": [[str(r.client_id), r.number, r.name, r.currency, r.services, str(r.charges), str(r.available)]
                    for r in figures.at_risk],
        "at_risk_clients": figures.at_risk_clients, "at_risk_services": figures.at_risk_services,
    }


def _from_json(data: dict[str, Any]) -> Dashboard:
    day, moment = dt.date.fromisoformat, dt.datetime.fromisoformat
    return Dashboard(
        now=moment(data["now"]), months=[day(month) for month in data["months"]],
        revenue={currency: [Month(day(start), Decimal(paid), Decimal(refunded)) for start, paid, refunded in months]
                 for currency, months in data["revenue"].items()},
        owing=[Owing(currency, count, Decimal(total), overdue, Decimal(overdue_total), oldest and moment(oldest))
               for currency, count, total, overdue, overdue_total, oldest in data["owing"]],
        balances=[Balances(currency, clients, Decimal(balance), Decimal(used), in_debit)
                  for currency, clients, balance, used, in_debit in data["balances"]],
        client_statuses=data["client_statuses"], new_clients=[(day(month), n) for month, n in data["new_clients"]],
        services=data["services"], services_in_error=data["services_in_error"],
        upcoming={currency: Decimal(amount) for currency, amount in data["upcoming"].items()},
        upcoming_services=data["upcoming_services"],
        at_risk=[AtRisk(uuid.UUID(client_id), number, name, currency, services, Decimal(charges), Decimal(available))
                 for client_id, number, name, currency, services, charges, available in data["at_risk"]],
        at_risk_clients=data["at_risk_clients"], at_risk_services=data["at_risk_services"])


def _revenue(actor: Actor, months: list[dt.date], since: dt.datetime) -> dict[str, list[Month]]:
    paid: dict = defaultdict(lambda: ZERO)
    refunded: dict = defaultdict(lambda: ZERO)
    payments = (_scoped(Payment.objects.filter(paid_at__gte=since), actor)
                .annotate(month=TruncMonth("paid_at")).values("month", "document__currency")
                .annotate(received=Sum("gross")).order_by())
    for row in payments:
        paid[row["document__currency"], _month_key(row["month"])] += row["received"]
    notes = (_scoped(Document.objects.filter(type=DocumentType.CREDIT_NOTE, issue_date__gte=since), actor)
             .annotate(month=TruncMonth("issue_date")).values("month", "currency")
             .annotate(credited=Sum("total")).order_by())
    for row in notes:  # a credit note's total is negative: the money going back
        refunded[row["currency"], _month_key(row["month"])] -= row["credited"]
    currencies = sorted({currency for currency, _month in [*paid, *refunded]})
    return {currency: [Month(month, paid.get((currency, month), ZERO), refunded.get((currency, month), ZERO))
                       for month in months] for currency in currencies}


def _owing(actor: Actor, now: dt.datetime) -> list[Owing]:
    due = F("total") - F("paid_gross")
    overdue = Q(due_date__lt=now)
    rows = (_scoped(Document.objects.filter(status=DocumentStatus.UNPAID,
                                            type__in=[DocumentType.PROFORMA, DocumentType.INVOICE]), actor)
            .values("currency")
            .annotate(count=Count("id"), owed=Sum(due, output_field=AmountField()),
                      overdue_count=Count("id", filter=overdue),
                      owed_overdue=Sum(due, filter=overdue, output_field=AmountField()),
                      oldest=Min("due_date", filter=overdue))
            .order_by("currency"))
    return [Owing(row["currency"], row["count"], row["owed"] or ZERO, row["overdue_count"],
                  row["owed_overdue"] or ZERO, row["oldest"]) for row in rows]


def _balances(actor: Actor) -> list[Balances]:
    below = Q(balance_row__balance__lt=0)
    rows = (_scoped(Client.objects.all(), actor, "pk").values("currency")
            .annotate(clients=Count("id"), balances=Sum("balance_row__balance"),
                      debit=Sum("balance_row__balance", filter=below),
                      in_debit=Count("id", filter=below))
            .order_by("currency"))
    return [Balances(row["currency"], row["clients"], row["balances"] or ZERO, -(row["debit"] or ZERO),
                     row["in_debit"]) for row in rows]


def _new_clients(actor: Actor, months: list[dt.date], since: dt.datetime) -> list[tuple[dt.date, int]]:
    rows = (_scoped(Client.objects.filter(created_at__gte=since), actor, "pk")
            .annotate(month=TruncMonth("created_at")).values("month").annotate(n=Count("id")).order_by())
    counts: dict = defaultdict(int)
    for row in rows:
        counts[_month_key(row["month"])] += row["n"]
    return [(month, counts.get(month, 0)) for month in months]


def _services(actor: Actor) -> tuple[dict[str, int], int]:
    rows = (_scoped(Service.objects.all(), actor).values("status")
            .annotate(n=Count("id"), errors=Count("id", filter=Q(provision_status=ProvisionStatus.ERROR)))
            .order_by())
    counts = {status: 0 for status in ServiceStatus.values}
    errors = 0
    for row in rows:
        counts[row["status"]] = row["n"]
        errors += row["errors"]
    return counts, errors


def _upcoming(figures: Dashboard, actor: Actor, now: dt.datetime) -> None:
    """The charges of the active services' periods starting in the next UPCOMING_DAYS days (as the
    billing job will post them), per currency; and the clients whose balance and credit do not
    cover theirs. One query over those services, with their clients' funds."""
    until = now + dt.timedelta(days=UPCOMING_DAYS)
    services = (_scoped(Service.objects.filter(status=ServiceStatus.ACTIVE, cancel_requested=False), actor)
                .exclude(period="ONE_TIME").filter(Q(billed_until__lt=until) | Q(billed_until__isnull=True))
                .values_list("client_id", "currency", "period", "amount", "billed_until", "product__hourly_billing",
                             "client__number", "client__display_name", "client__balance_row__balance",
                             "client__credit_limit")
                .order_by())
    per_client: dict = {}
    for client_id, currency, period, amount, billed_until, hourly, number, name, balance, limit in services:
        charges = charges_between(period=period, amount=amount, hourly_billing=hourly,
                                  start=max(billed_until or now, now), until=until)
        if not charges:
            continue
        figures.upcoming[currency] = figures.upcoming.get(currency, ZERO) + charges
        figures.upcoming_services += 1
        entry = per_client.get(client_id)
        if entry is None:
            per_client[client_id] = entry = [number, name, currency, 0, ZERO, balance + limit]
        entry[3] += 1
        entry[4] += charges
    at_risk = [AtRisk(client_id, number, name, currency, services, charges, available)
               for client_id, (number, name, currency, services, charges, available) in per_client.items()
               if charges > available]
    at_risk.sort(key=lambda risk: (-risk.shortfall, risk.number))
    figures.at_risk = at_risk[:AT_RISK_SHOWN]
    figures.at_risk_clients = len(at_risk)
    figures.at_risk_services = sum(risk.services for risk in at_risk)
