"""REST endpoints for products, prices and services (SPEC §11)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from clientpanel.accounts.api_auth import api_actor, require_scope
from clientpanel.accounts.scopes import CLIENTS_READ, CLIENTS_WRITE, PRODUCTS_READ, PRODUCTS_WRITE
from clientpanel.catalog import services as catalog_services
from clientpanel.catalog.models import Price, Product
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients.selectors import clients_visible_to
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
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.core.money import format_api_amount

from . import services
from .models import Service

router = Router(tags=["products and services"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PriceIn(Strict):
    model_config = strict_example(currency="PLN", period="MONTHLY", amount="49.00", setup_fee="0.00")
    currency: OneLine(3) | None = None
    period: OneLine(12) | None = None
    amount: MoneyString = None
    setup_fee: MoneyString = None


Hours = Int(0, 24 * 365)


class ProductIn(Strict):
    model_config = strict_example(key="vps-small", name="VPS Small", description="2 vCPU, 4 GB RAM",
                                  module="manual", prices=[{"currency": "PLN", "period": "MONTHLY", "amount": "49.00"}])
    key: OneLine(100) | None = None
    name: OneLine(200) | None = None
    description: Text(5000) | None = None
    module: OneLine(50) | None = None
    module_settings: JsonObject | None = None
    hourly_billing: bool | None = None
    termination_delay_hours: Hours | None = None
    cancellation_delay_hours: Hours | None = None
    hidden: bool | None = None
    prices: Annotated[list[PriceIn], Field(max_length=50)] = []


class ServiceIn(Strict):
    model_config = strict_example(product="vps", price=1)
    product: OneLine(100) | None = Field(None, description="The product's id or key")
    price: IntId | None = None
    allow_over_limit: bool = False


class PriceOut(Schema):
    id: int
    currency: str
    period: str
    amount: str
    setup_fee: str


class ProductOut(Schema):
    id: str
    key: str
    name: str
    description: str
    module: str
    hourly_billing: bool
    hidden: bool
    retired: bool
    prices: list[PriceOut]


class ProductListOut(Schema):
    count: int
    results: list[ProductOut]


class ServiceProductOut(Schema):
    id: str
    key: str
    name: str


class ServicePriceOut(Schema):
    id: int | None
    currency: str
    period: str
    amount: str
    setup_fee: str


class ServiceOut(Schema):
    id: str
    label: str
    client: str
    status: str
    provision_status: str
    provision_error: str | None
    product: ServiceProductOut
    price: ServicePriceOut
    order_date: str | None
    activation_date: str | None
    billed_until: str | None
    suspension_reason: str | None


class ServiceListOut(Schema):
    count: int
    results: list[ServiceOut]


def price_out(price: Price) -> dict[str, Any]:
    return {"id": price.pk, "currency": price.currency, "period": price.period,
            "amount": format_api_amount(price.amount), "setup_fee": format_api_amount(price.setup_fee)}


def product_out(product: Product) -> dict[str, Any]:
    return {"id": str(product.id), "key": product.key, "name": product.name, "description": product.description,
            "module": product.module, "hourly_billing": product.hourly_billing, "hidden": product.hidden,
            "retired": product.retired, "prices": [price_out(p) for p in product.prices.all()]}


def _time(value):
    return value.isoformat() if value else None


def service_out(service: Service) -> dict[str, Any]:
    return {
        "id": str(service.id), "label": service.label, "client": str(service.client_id), "status": service.status,
        "provision_status": service.provision_status, "provision_error": service.provision_error or None,
        "product": {"id": str(service.product_id), "key": service.product.key, "name": service.product.name},
        "price": {"id": service.price_id, "currency": service.currency, "period": service.period,
                  "amount": format_api_amount(service.amount), "setup_fee": format_api_amount(service.setup_fee)},
        "order_date": _time(service.order_date), "activation_date": _time(service.activation_date),
        "billed_until": _time(service.billed_until), "suspension_reason": service.suspension_reason or None,
    }


@router.get("/products", response=ProductListOut)
def list_products(request):
    require_scope(request, PRODUCTS_READ)
    products = list(Product.objects.prefetch_related("prices").order_by("name"))
    return {"count": len(products), "results": [product_out(p) for p in products]}


@router.post("/products", response={201: ProductOut}, summary="Create a product with its prices, in one transaction")
def create_product(request, payload: ProductIn):
    from django.db import transaction

    require_scope(request, PRODUCTS_WRITE)
    data = payload.model_dump(exclude_unset=True)
    prices = data.pop("prices", [])
    with transaction.atomic():
        product = catalog_services.product_save(actor=api_actor(request), data=data)
        for index, price in enumerate(prices):
            try:
                catalog_services.price_save(actor=api_actor(request), product_id=product.pk, data=price)
            except DomainError as error:
                error.fields = {f"prices.{index}.{k}": v for k, v in error.fields.items()}
                raise
    return Status(201, product_out(product))


@router.get("/clients/{client_id}/services", response=ServiceListOut)
def list_client_services(request, client_id: UUID, page: Page = 1, page_size: PageSize = 50):
    require_scope(request, CLIENTS_READ)
    client = client_selectors.client_get(actor=api_actor(request), client_id=client_id)
    from clientpanel.core.errors import ValidationFailed

    if page < 1 or not 1 <= page_size <= 500:
        raise ValidationFailed.from_fields({"page_size": ["Use page ≥ 1 and page_size 1 to 500."]})
    rows = client.services.select_related("product").order_by("-order_date")
    start = (page - 1) * page_size
    return {"count": rows.count(), "results": [service_out(s) for s in rows[start:start + page_size]]}


@router.post("/clients/{client_id}/services", response={201: ServiceOut}, summary="Order a service (product, price)")
def create_service(request, client_id: UUID, payload: ServiceIn):
    require_scope(request, CLIENTS_WRITE)
    service = services.service_order(actor=api_actor(request), client_id=client_id, product_id=payload.product,
                                     price_id=payload.price, allow_over_limit=payload.allow_over_limit)
    return Status(201, service_out(Service.objects.select_related("product").get(pk=service.pk)))


def _service(request, service_id) -> Service:
    service = Service.objects.filter(pk=service_id, client__in=clients_visible_to(api_actor(request))).select_related(
        "product").first()
    if service is None:
        raise NotFound("Service not found.")
    return service


@router.get("/services/{service_id}", response=ServiceOut)
def get_service(request, service_id: UUID):
    require_scope(request, CLIENTS_READ)
    return service_out(_service(request, service_id))


def _act(request, service_id, operation):
    require_scope(request, CLIENTS_WRITE)
    service = _service(request, service_id)
    operation(actor=api_actor(request), service_id=service.pk)
    return service_out(Service.objects.select_related("product").get(pk=service.pk))


@router.post("/services/{service_id}/suspend", response=ServiceOut)
def suspend_service(request, service_id: UUID):
    return _act(request, service_id, services.service_suspend)


@router.post("/services/{service_id}/unsuspend", response=ServiceOut)
def unsuspend_service(request, service_id: UUID):
    return _act(request, service_id, services.service_unsuspend)


@router.post("/services/{service_id}/terminate", response=ServiceOut)
def terminate_service(request, service_id: UUID):
    return _act(request, service_id, services.service_terminate)


@router.post("/services/{service_id}/retry", response=ServiceOut)
def retry_service(request, service_id: UUID):
    return _act(request, service_id, services.service_retry)
