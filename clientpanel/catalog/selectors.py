"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Price, Product
from .rules import orderable_by_client


def products_for_client_order(*, currency: str) -> list[Product]:
    """What a client may order in the portal: products on show (catalog.rules.orderable_by_client)
    with at least one price in the client's currency, each with those prices as `client_prices`."""
    products = (Product.objects.filter(hidden=False, retired=False, prices__currency=currency).distinct()
                .order_by("name").prefetch_related(Prefetch("prices", queryset=Price.objects.filter(currency=currency),
                                                            to_attr="client_prices")))
    return [product for product in products if orderable_by_client(product)]
