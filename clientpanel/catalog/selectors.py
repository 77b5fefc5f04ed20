"""Reads of the catalog: what a product may be ordered at in a currency (its offers), explicit or
derived from the default currency's price at an exchange rate (SPEC §9)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from .calculations import derived_amount
from .models import ExchangeRate, Period, Price, Product, price_label
from .rules import derives_from, orderable_by_client, orderable_by_staff, price_on_sale

PERIOD_ORDER = {period: index for index, period in enumerate(Period.values)}


@dataclass(frozen=True)
class Offer:
    """A price a product may be ordered at in one currency: an explicit Price on sale, or one
    derived from the default currency's price (`price`) at `rate`. Ordering passes `pk`: the
    explicit price's id, or the id of the price it is derived from."""

    price: Price
    currency: str
    amount: Decimal
    setup_fee: Decimal
    rate: Decimal | None = None

    @property
    def derived(self) -> bool:
        return self.rate is not None

    @property
    def pk(self) -> int:
        return self.price.pk

    @property
    def period(self) -> str:
        return self.price.period

    @property
    def label(self) -> str:
        return price_label(self.period, self.amount, self.currency)

    @property
    def rate_shown(self) -> str:
        return rate_shown(self.rate) if self.rate is not None else ""


def rate_shown(rate: Decimal) -> str:
    """A rate without its trailing zeros: 4.3127, 150."""
    return f"{rate.normalize():f}"


def default_currency() -> str:
    return settings.CLIENTPANEL_DEFAULT_CURRENCY


def exchange_rates() -> dict[str, Decimal]:
    """{currency: rate to the default currency}, for the shop's currencies other than the default."""
    return {rate.currency: rate.rate for rate in ExchangeRate.objects.all()
            if rate.currency in settings.CLIENTPANEL_CURRENCIES and rate.currency != default_currency()}


def exchange_rate_rows() -> list[dict]:
    """Every currency of the shop but the default one, with its rate or None (the rates page)."""
    rates = exchange_rates()
    return [{"currency": currency, "rate": rates.get(currency),
             "rate_shown": rate_shown(rates[currency]) if currency in rates else ""}
            for currency in settings.CLIENTPANEL_CURRENCIES if currency != default_currency()]


def offers_of(product: Product, currency: str, *, rates: dict[str, Decimal] | None = None) -> list[Offer]:
    """The product's offers in the currency, by period: its explicit prices on sale, and for each
    other period a price derived from the default currency's (when the product derives prices and
    the currency has a rate). An explicit price wins over a derived one of the same period; a
    retired price counts as none. Uses product.prices.all(), so prefetch it for many products."""
    rates = exchange_rates() if rates is None else rates
    prices = list(product.prices.all())
    offers = [Offer(price=p, currency=currency, amount=p.amount, setup_fee=p.setup_fee)
              for p in prices if p.currency == currency and price_on_sale(p)]
    rate = rates.get(currency) if currency != default_currency() else None
    if rate is not None:
        explicit = {offer.period for offer in offers}
        for base in prices:
            if not derives_from(product, base, default_currency()) or base.period in explicit:
                continue
            ledger_places = product.hourly_billing or base.period == Period.HOURLY
            amount = derived_amount(base.amount, rate, currency, ledger_places=ledger_places)
            setup_fee = derived_amount(base.setup_fee, rate, currency, ledger_places=ledger_places)
            if amount is not None and setup_fee is not None:  # beyond an amount's bounds: not offered
                offers.append(Offer(price=base, currency=currency, amount=amount, setup_fee=setup_fee, rate=rate))
    return sorted(offers, key=lambda offer: PERIOD_ORDER.get(offer.period, len(PERIOD_ORDER)))


def derived_offers_of(product: Product, *, rates: dict[str, Decimal] | None = None) -> list[Offer]:
    """The product's derived prices in every currency (the product page shows them as derived)."""
    if not product.derive_prices:
        return []
    rates = exchange_rates() if rates is None else rates
    return [offer for currency in settings.CLIENTPANEL_CURRENCIES
            for offer in offers_of(product, currency, rates=rates) if offer.derived]


def offer_for_price(offers: list[Offer], price: Price) -> Offer | None:
    """The offer a price id orders: the explicit price itself, or — for a default-currency price —
    the offer of its period in the client's currency (the explicit one if there is, else the
    derived one). None: that price is not on sale in the offers' currency."""
    for offer in offers:
        if offer.pk == price.pk and offer.price.currency == offer.currency:
            return offer
    if price.currency == default_currency():
        return next((offer for offer in offers if offer.period == price.period), None)
    return None


def _with_offers(products, currency: str) -> list[Product]:
    rates = exchange_rates()
    found = []
    for product in products:
        product.client_prices = offers_of(product, currency, rates=rates)
        if product.client_prices:
            found.append(product)
    return found


def products_for_client_order(*, currency: str) -> list[Product]:
    """What a client may order in the portal: products on show (catalog.rules.orderable_by_client)
    with at least one offer in the client's currency, each with those offers as `client_prices`."""
    products = Product.objects.filter(hidden=False, retired=False).order_by("name").prefetch_related("prices")
    return _with_offers([p for p in products if orderable_by_client(p)], currency)


def products_for_staff_order(*, currency: str) -> list[Product]:
    """What staff may add for a client: products on sale, hidden ones too (catalog.rules.orderable_by_staff),
    with at least one offer in the client's currency, each with those offers as `client_prices`."""
    products = Product.objects.filter(retired=False).order_by("name").prefetch_related("prices")
    return _with_offers([p for p in products if orderable_by_staff(p)], currency)
