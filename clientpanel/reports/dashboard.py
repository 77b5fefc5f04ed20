"""The staff dashboard's figures (issue 14): what a billing business checks every morning, each
scoped to what the staff member may see — the finance figures to staff with the Finance area,
the clients' and services' to those who see clients (limited staff: their assigned clients only).
(Automation's health: automation.selectors.job_health.) Amounts are kept per currency and never added across
currencies. A constant number of queries, however many clients, documents and services there are.

Revenue is money in: payments received (gross, as the client paid) minus credit notes issued
(their total), by the month the money moved in its home company's zone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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

from .figures import (
    ALL,
    AT_RISK_SHOWN,
    MONTHS,
    UPCOMING_DAYS,
    AtRisk,
    Balances,
    Dashboard,
    Month,
    Owing,
    figures_from_json,
    figures_to_json,
)
from .models import DashboardSnapshot
from .standing import balances_refresh
from .sums import ZERO, credit_notes
from .zones import by_zone, day_in, home_zone


def month_starts(now: dt.datetime, count: int = MONTHS) -> list[dt.date]:
    """The first days of the `count` months up to and including now's, oldest first — now read in the
    default home company's zone, whose months the money is put in (at 23:45 UTC on 30 September it
    is already October in Warsaw)."""
    today = now.astimezone(home_zone()).date().replace(day=1)
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
        figures = figures_from_json(snapshot.figures)
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
        figures.revenue = _revenue(actor, figures.months)
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
        key=ALL, defaults={"computed_at": now, "figures": figures_to_json(figures)})
    return snapshot


def job_refresh_dashboard(*, now: dt.datetime, regardless_of_age: bool = False) -> dict:
    """Recompute the dashboard's snapshot when it is older than CLIENTPANEL_DASHBOARD_REFRESH_MINUTES
    (the job runs on every automation pass; the adding up takes seconds at a million clients) — or
    whatever its age when a staff member runs it now (`regardless_of_age`, automation.registry.RUN_NOW):
    they press it because the figures they see are stale."""
    minutes = int(settings.CLIENTPANEL_DASHBOARD_REFRESH_MINUTES)
    fresh = DashboardSnapshot.objects.filter(key=ALL, computed_at__gt=now - dt.timedelta(minutes=minutes),
                                             computed_at__lte=now).exists()
    if fresh and not regardless_of_age:
        return {"refreshed": 0}
    dashboard_refresh(now=now)
    return {"refreshed": 1}


def _revenue(actor: Actor, months: list[dt.date]) -> dict[str, list[Month]]:
    """Money in per currency and month. A payment's and a credit note's month is its home company's
    (reports/zones.py), as in Finance → Reports → Revenue: one query per zone they were dated in."""
    paid: dict = defaultdict(lambda: ZERO)
    refunded: dict = defaultdict(lambda: ZERO)
    for zone, part in by_zone(_scoped(Payment.objects.all(), actor), "document__company_snapshot__time_zone",
                              "paid_at", since=months[0]):
        for row in (part.annotate(month=TruncMonth("paid_at", tzinfo=zone)).values("month", "document__currency")
                    .annotate(received=Sum("gross")).order_by()):
            paid[row["document__currency"], day_in(row["month"], zone)] += row["received"]
    for zone, part in by_zone(_scoped(credit_notes(), actor), "company_snapshot__time_zone", "issue_date",
                              since=months[0]):
        for row in (part.annotate(month=TruncMonth("issue_date", tzinfo=zone)).values("month", "currency")
                    .annotate(credited=Sum("total")).order_by()):  # negative: the money going back
            refunded[row["currency"], day_in(row["month"], zone)] -= row["credited"]
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
                .values_list("client_id", "currency", "period", "amount", "billed_until", "billing_anchor_day",
                             "product__hourly_billing", "client__number", "client__display_name",
                             "client__balance_row__balance", "client__credit_limit")
                .order_by())
    per_client: dict = {}
    for client_id, currency, period, amount, billed_until, anchor_day, hourly, number, name, balance, limit in services:
        charges = charges_between(period=period, amount=amount, hourly_billing=hourly,
                                  start=max(billed_until or now, now), until=until, anchor_day=anchor_day)
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
