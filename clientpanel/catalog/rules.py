"""Which products may be ordered, and by whom (SPEC §9). A hidden product stays off the clients'
order form but staff may still sell it (WHMCS's "hidden": ordered by direct link or by staff); a
retired one is off sale for everybody, while its services go on."""

from __future__ import annotations

from .models import Price, Product


def orderable_by_staff(product: Product) -> bool:
    return not product.retired


def orderable_by_client(product: Product) -> bool:
    return not product.retired and not product.hidden


def price_on_sale(price: Price) -> bool:
    """A retired price is off sale for new orders and derives nothing; its services go on."""
    return not price.retired


def derives_from(product: Product, price: Price, default_currency: str) -> bool:
    """Prices in other currencies come from this one: the product derives its prices and this is
    its default-currency price, on sale."""
    return product.derive_prices and price.currency == default_currency and price_on_sale(price)
