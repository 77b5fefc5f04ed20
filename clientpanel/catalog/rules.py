"""Which products may be ordered, and by whom (SPEC §9). A hidden product stays off the clients'
order form but staff may still sell it (WHMCS's "hidden": ordered by direct link or by staff); a
retired one is off sale for everybody, while its services go on."""

from __future__ import annotations

from .models import Product


def orderable_by_staff(product: Product) -> bool:
    return not product.retired


def orderable_by_client(product: Product) -> bool:
    return not product.retired and not product.hidden
