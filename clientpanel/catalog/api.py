"""REST endpoints for products and their prices (SPEC §11).

They share the "products and services" tag with services/api.py, and keep the operation ids they
had when they lived there: generated clients call them by id, so moving the router must not rename them.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from django.db import transaction
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import PRODUCTS_READ, PRODUCTS_WRITE
from clientpanel.core.api_types import (
    Int,
    IntId,
    JsonObject,
    MoneyString,
    OneLine,
    Page,
    PageSize,
    Text,
    strict_example,
)
from clientpanel.core.errors import DomainError
from clientpanel.core.money import format_api_amount
from clientpanel.core.schemas import ListOut, StrictSchema, list_page

from . import selectors, services
from .models import Price, Product
from .selectors import Offer

router = Router(tags=["products and services"])


class PriceIn(StrictSchema):
    model_config = strict_example(currency="PLN", period="MONTHLY", amount="49.00", setup_fee="0.00")
    currency: OneLine(3) | None = None
    period: OneLine(12) | None = None
    amount: MoneyString = None
    setup_fee: MoneyString = None


Hours = Int(0, 24 * 365)


class ProductIn(StrictSchema):
    model_config = strict_example(key="vps-small", name="VPS Small", description="2 vCPU, 4 GB RAM",
                                  module="manual", prices=[{"currency": "PLN", "period": "MONTHLY", "amount": "49.00"}])
    key: OneLine(100) | None = None
    name: OneLine(200) | None = None
    description: Text(5000) | None = None
    module: OneLine(50) | None = None
    module_settings: JsonObject | None = None
    hourly_billing: StrictBool | None = None
    termination_delay_hours: Hours | None = None
    cancellation_delay_hours: Hours | None = None
    hidden: StrictBool | None = None
    derive_prices: StrictBool | None = Field(None, description="Offer prices in currencies without an explicit one: "
                                                         "the default currency's price × the currency's exchange rate")
    prices: Annotated[list[PriceIn], Field(max_length=50)] = []


class PriceUpdateIn(StrictSchema):
    model_config = strict_example(amount="52.00", setup_fee="0.00", retired=False)
    amount: MoneyString = None
    setup_fee: MoneyString = None
    retired: StrictBool | None = Field(None, description="Off sale for new orders; services ordered at it keep "
                                                         "their price")


class PriceOut(Schema):
    id: int
    currency: str
    period: str
    amount: str
    setup_fee: str
    retired: bool


class DerivedPriceOut(Schema):
    currency: str
    period: str
    amount: str
    setup_fee: str
    from_price: int = Field(description="The default-currency price it is derived from; order with this id")
    exchange_rate: str


class ProductOut(Schema):
    id: str
    key: str
    name: str
    description: str
    module: str
    hourly_billing: bool
    hidden: bool
    retired: bool
    derive_prices: bool
    prices: list[PriceOut]
    derived_prices: list[DerivedPriceOut]


class ProductListOut(ListOut[ProductOut]):
    """The products, with how many there are."""


def price_out(price: Price) -> dict[str, Any]:
    return {"id": price.pk, "currency": price.currency, "period": price.period, "retired": price.retired,
            "amount": format_api_amount(price.amount), "setup_fee": format_api_amount(price.setup_fee)}


def derived_out(offer: Offer) -> dict[str, Any]:
    return {"currency": offer.currency, "period": offer.period, "amount": format_api_amount(offer.amount),
            "setup_fee": format_api_amount(offer.setup_fee), "from_price": offer.pk,
            "exchange_rate": offer.rate_shown}


def product_out(product: Product, rates=None) -> dict[str, Any]:
    return {"id": str(product.id), "key": product.key, "name": product.name, "description": product.description,
            "module": product.module, "hourly_billing": product.hourly_billing, "hidden": product.hidden,
            "retired": product.retired, "derive_prices": product.derive_prices,
            "prices": [price_out(p) for p in product.prices.all()],
            "derived_prices": [derived_out(o) for o in selectors.derived_offers_of(product, rates=rates)]}


@router.get("/products", response=ProductListOut, operation_id="clientpanel_services_api_list_products",
            auth=scoped(PRODUCTS_READ))
def list_products(request, page: Page = 1, page_size: PageSize = 50):
    rates = selectors.exchange_rates()
    products = Product.objects.prefetch_related("prices").order_by("name", "pk")
    return list_page(products, page=page, page_size=page_size, item_out=lambda p: product_out(p, rates))


@router.post("/products", response={201: ProductOut}, operation_id="clientpanel_services_api_create_product",
             summary="Create a product with its prices, in one transaction", auth=scoped(PRODUCTS_WRITE))
def create_product(request, payload: ProductIn):
    data = payload.model_dump(exclude_unset=True)
    prices = data.pop("prices", [])
    with transaction.atomic():
        product = services.product_save(actor=api_actor(request), data=data)
        for index, price in enumerate(prices):
            try:
                services.price_save(actor=api_actor(request), product_id=product.pk, data=price)
            except DomainError as error:
                error.fields = {f"prices.{index}.{k}": v for k, v in error.fields.items()}
                raise
    return Status(201, product_out(product))


@router.patch("/products/{product_id}/prices/{price_id}", response=PriceOut,
              operation_id="clientpanel_catalog_api_update_price",
              summary="Change a price's amount or setup fee, retire it or bring it back", auth=scoped(PRODUCTS_WRITE))
def update_price(request, product_id: UUID, price_id: IntId, payload: PriceUpdateIn):
    price = services.price_save(actor=api_actor(request), product_id=product_id, price_id=price_id,
                                data=payload.model_dump(exclude_unset=True))
    return price_out(price)
