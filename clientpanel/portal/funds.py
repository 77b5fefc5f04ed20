"""What a client must add to bring back its services suspended for insufficient funds, read-only,
for the portal's dashboard, service page and Add Funds page. The rule is the one the credit job
(automation's enforce_credit) and staff's Unsuspend follow, client_services.rules.
unsuspend_uncovered_charge: the service comes back once the client's funds (balance plus credit
limit) cover the charge unsuspending posts at once; what they lack for it is what is missing. An
order refused for want of funds lacks what they do not cover of its first charge and setup fee
(client_services' service_order). The Add Funds link asks for that amount within the portal's Add
Funds limits (at least the minimum)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from urllib.parse import urlencode

from django.urls import reverse

from clientpanel.client_services import rules
from clientpanel.client_services.models import INSUFFICIENT_FUNDS, Service, ServiceStatus
from clientpanel.client_services.services.common import funds
from clientpanel.client_services.services.ordering import first_charge
from clientpanel.clients.models import Client
from clientpanel.core.money import currency_minor_unit, format_amount_input
from clientpanel.invoicing.add_funds_limits import portal_limits


@dataclass(frozen=True)
class Shortfall:
    """What the client's funds lack to bring back a service (or all of them: service None)."""

    service: Service | None
    charge: Decimal  # what unsuspending charges at once (all of them: their sum)
    funds: Decimal  # the client's balance plus credit limit
    missing: Decimal  # what the funds lack for it, rounded up to the currency's minor unit
    currency: str

    @property
    def top_up(self) -> str:
        """What Add Funds is asked for ("19.47"): the missing amount; the minimum when it is below
        it, the maximum of one top-up when it is above it (more is added again after)."""
        limits = portal_limits(self.currency)
        return format_amount_input(min(max(self.missing, limits.minimum), limits.maximum), self.currency)

    @property
    def add_funds_url(self) -> str:
        return f"{reverse('portal:add-funds')}?{urlencode({'amount': self.top_up})}"


def _rounded_up(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-currency_minor_unit(currency)), rounding=ROUND_CEILING)


def suspended_for_funds(client: Client) -> list[Service]:
    return list(Service.objects.filter(client=client, status=ServiceStatus.SUSPENDED,
                                       suspension_reason=INSUFFICIENT_FUNDS)
                .select_related("product").order_by("suspended_at", "label"))


def shortfall_of(service: Service, client: Client, *, now: dt.datetime) -> Shortfall | None:
    """What the client's funds lack to bring back this service, or None: not suspended for
    insufficient funds, or its next charge is covered (the credit job's next pass brings it back)."""
    if service.status != ServiceStatus.SUSPENDED:
        return None
    available = funds(client)
    charge = rules.unsuspend_uncovered_charge(service, funds=available, now=now)
    if charge is None:
        return None
    return Shortfall(service=service, charge=charge, funds=available, currency=client.currency,
                     missing=_rounded_up(charge - available, client.currency))


def shortfalls(client: Client, *, now: dt.datetime) -> tuple[list[Shortfall], Shortfall | None]:
    """Each service of the client whose suspension for insufficient funds its funds do not lift,
    and, when two or more are suspended so, what their funds lack for all of them (None when they
    cover it): the credit job brings them back one by one, each charging its own, so together they
    need the sum of their charges."""
    suspended = suspended_for_funds(client)
    each = [s for s in (shortfall_of(service, client, now=now) for service in suspended) if s]
    charge = sum((rules.charge_on_unsuspend(service, now=now) for service in suspended), Decimal(0))
    available = funds(client)
    if len(suspended) < 2 or available >= charge:
        return each, None
    return each, Shortfall(service=None, charge=charge, funds=available, currency=client.currency,
                           missing=_rounded_up(charge - available, client.currency))


def order_shortfall(products, price_id: str, client: Client) -> Shortfall | None:
    """What the client's funds lack for an order of the price (one of `products`' client_prices)
    that service_order refused for want of them: its first charge plus its setup fee."""
    for product in products:
        for offer in product.client_prices:
            if str(offer.pk) != str(price_id):
                continue
            need = first_charge(product, offer) + offer.setup_fee
            available = funds(Client.objects.select_related("balance_row").get(pk=client.pk))
            if available >= need:
                return None
            return Shortfall(service=None, charge=need, funds=available, currency=client.currency,
                             missing=_rounded_up(need - available, client.currency))
    return None
