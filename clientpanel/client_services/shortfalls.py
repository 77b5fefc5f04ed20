"""What a client's funds lack, read-only: to bring back its services suspended for insufficient
funds, or for an order service_order refused for want of them. The unsuspend rule is the one the
credit job (automation's enforce_credit) and staff's Unsuspend follow, rules.
unsuspend_uncovered_charge: the service comes back once the client's funds (balance plus credit
limit) cover the charge unsuspending posts at once; what they lack for it is what is missing. An
order lacks what its funds do not cover of its first charge and setup fee (OrderNotCovered, raised
by service_order, carries it). The portal shows these and links to Add Funds with `top_up`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from clientpanel.clients.models import Client
from clientpanel.core.money import currency_minor_unit, format_amount_input
from clientpanel.invoicing.add_funds_limits import portal_limits
from clientpanel.ledger.services import InsufficientFunds

from . import rules
from .calculations import period_charge
from .models import INSUFFICIENT_FUNDS, ChargeKind, ProvisionStatus, Service, ServiceCharge, ServiceStatus


def funds(client: Client) -> Decimal:
    """What the client may still spend: balance plus credit limit."""
    return client.balance + client.credit_limit


@dataclass(frozen=True)
class Shortfall:
    """What the client's funds lack for a charge: bringing back a service (or all of them, or an
    order: service None)."""

    service: Service | None
    charge: Decimal  # what is charged at once (all of them: their sum; an order: first charge + setup fee)
    funds: Decimal  # the client's balance plus credit limit
    missing: Decimal  # what the funds lack for it, rounded up to the currency's minor unit
    currency: str

    @classmethod
    def of(cls, charge: Decimal, client: Client, service: Service | None = None, *,
           held: Decimal = Decimal(0)) -> Shortfall | None:
        """What the client's funds lack for `charge`, or None when they cover it; `held`: what of
        them its services not yet active will take (held_for_pending), free for nothing else."""
        available = funds(client) - held
        if available >= charge:
            return None
        unit = Decimal(1).scaleb(-currency_minor_unit(client.currency))
        return cls(service=service, charge=charge, funds=available, currency=client.currency,
                   missing=(charge - available).quantize(unit, rounding=ROUND_CEILING))

    @property
    def top_up(self) -> str:
        """What Add Funds is asked for ("19.47"): the missing amount; the minimum when it is below
        it, the maximum of one top-up when it is above it (more is added again after)."""
        limits = portal_limits(self.currency)
        return format_amount_input(min(max(self.missing, limits.minimum), limits.maximum), self.currency)


def held_for_pending(client_id, *, now: dt.datetime, excluding=None, started_only: bool = False) -> Decimal:
    """What the client's services not yet active will take when they are: each one's first period
    (its price, for a one-time price) and its setup fee unless charged already. An order is
    refused when the funds left beside them do not cover it: three orders sent at once each saw
    the whole balance, and the module built machines the client could not pay. Provisioning counts
    only those already being set up (`started_only`: they passed its check, their first period is
    charged once the module made them); those still waiting wait for funds, in order, as before."""
    pending = (Service.objects.filter(client_id=client_id, status=ServiceStatus.PENDING)
               .exclude(pk=excluding).select_related("product"))
    if started_only:
        pending = pending.filter(provision_status=ProvisionStatus.IN_PROGRESS)
    setup_charged = set(ServiceCharge.objects.filter(service__in=pending, kind=ChargeKind.SETUP)
                        .values_list("service_id", flat=True))
    held = Decimal(0)
    for service in pending:
        first = period_charge(period=service.period, amount=service.amount,
                              hourly_billing=service.product.hourly_billing, start=now)
        held += (first.amount if first else service.amount) + (
            Decimal(0) if service.pk in setup_charged else service.setup_fee)
    return held


class OrderNotCovered(InsufficientFunds):
    """service_order's refusal for want of funds, with what they lack for the order."""

    def __init__(self, message: str, *, fields: dict[str, list[str]], shortfall: Shortfall):
        super().__init__(message, fields=fields)
        self.shortfall = shortfall


def suspended_for_funds(client: Client) -> list[Service]:
    return list(Service.objects.filter(client=client, status=ServiceStatus.SUSPENDED,
                                       suspension_reason=INSUFFICIENT_FUNDS)
                .select_related("product").order_by("suspended_at", "label"))


def shortfall_of(service: Service, client: Client, *, now: dt.datetime) -> Shortfall | None:
    """What the client's funds lack to bring back this service, or None: not suspended for
    insufficient funds, or its next charge is covered (the credit job's next pass brings it back)."""
    if service.status != ServiceStatus.SUSPENDED:
        return None
    charge = rules.unsuspend_uncovered_charge(service, funds=funds(client), now=now)
    return None if charge is None else Shortfall.of(charge, client, service)


def shortfalls(client: Client, *, now: dt.datetime) -> tuple[list[Shortfall], Shortfall | None]:
    """Each service of the client whose suspension for insufficient funds its funds do not lift,
    and, when two or more are suspended so, what their funds lack for all of them (None when they
    cover it): the credit job brings them back one by one, each charging its own, so together they
    need the sum of their charges."""
    suspended = suspended_for_funds(client)
    each = [s for s in (shortfall_of(service, client, now=now) for service in suspended) if s]
    if len(suspended) < 2:
        return each, None
    charge = sum((rules.charge_on_unsuspend(service, now=now) for service in suspended), Decimal(0))
    return each, Shortfall.of(charge, client)
