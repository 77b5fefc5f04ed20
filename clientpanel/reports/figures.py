"""The staff dashboard's figures as values (dashboard.py adds them up) and as its snapshot keeps
them (JSON). Amounts per currency, never added across currencies."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .rollups import ZERO, MoneyIn

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


def figures_to_json(figures: Dashboard) -> dict[str, Any]:
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


def figures_from_json(data: dict[str, Any]) -> Dashboard:
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
