"""REST endpoints for services: ordering, reading and acting on them (SPEC §11)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, StrictBool

from clientpanel.accounts.api_auth import api_actor, money_request, scoped
from clientpanel.accounts.scopes import CLIENTS_READ, CLIENTS_WRITE
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.api_types import (
    IDEMPOTENT,
    IntId,
    OneLine,
    Page,
    PageSize,
    strict_example,
)
from clientpanel.core.errors import NotFound
from clientpanel.core.money import format_api_amount
from clientpanel.core.schemas import ListOut, StrictSchema, choice_filter, iso_time, list_page

from . import services
from .models import Service, ServiceStatus

router = Router(tags=["products and services"])


class ServiceIn(StrictSchema):
    model_config = strict_example(product="vps", price=1)
    product: OneLine(100) | None = Field(None, description="The product's id or key")
    price: IntId | None = None
    allow_over_limit: StrictBool = False


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


class ServiceListOut(ListOut[ServiceOut]):
    """One page of a client's services, with how many there are in all."""


class ServiceListParams(Schema):
    status: OneLine(12) = Field("", description=f"One of {', '.join(ServiceStatus.values)}")
    page: Page = 1
    page_size: PageSize = 50


def service_out(service: Service) -> dict[str, Any]:
    return {
        "id": str(service.id), "label": service.label, "client": str(service.client_id), "status": service.status,
        "provision_status": service.provision_status, "provision_error": service.provision_error or None,
        "product": {"id": str(service.product_id), "key": service.product.key, "name": service.product.name},
        "price": {"id": service.price_id, "currency": service.currency, "period": service.period,
                  "amount": format_api_amount(service.amount), "setup_fee": format_api_amount(service.setup_fee)},
        "order_date": iso_time(service.order_date), "activation_date": iso_time(service.activation_date),
        "billed_until": iso_time(service.billed_until), "suspension_reason": service.suspension_reason or None,
    }


@router.get("/clients/{client_id}/services", response=ServiceListOut, auth=scoped(CLIENTS_READ))
def list_client_services(request, client_id: UUID, params: Query[ServiceListParams]):
    client = client_selectors.client_get(actor=api_actor(request), client_id=client_id)
    rows = client.services.select_related("product").order_by("-order_date", "-id")  # id: a fixed order for ties
    if status := choice_filter("status", params.status, ServiceStatus.values):
        rows = rows.filter(status=status)
    return list_page(rows, page=params.page, page_size=params.page_size, item_out=service_out)


@router.post("/clients/{client_id}/services", response={201: ServiceOut}, openapi_extra=IDEMPOTENT,
             summary="Order a service (product, price); honours Idempotency-Key", auth=scoped(CLIENTS_WRITE))
def create_service(request, client_id: UUID, payload: ServiceIn):
    """Ordering charges the balance (the setup fee, the first period): a repeat under the same
    Idempotency-Key answers the service the first one ordered instead of ordering another."""
    def order(actor):
        service = services.service_order(actor=actor, client_id=client_id, product_id=payload.product,
                                         price_id=payload.price, allow_over_limit=payload.allow_over_limit)
        return 201, service_out(Service.objects.select_related("product").get(pk=service.pk))

    return money_request(request, order, scope=CLIENTS_WRITE,
                         visible=lambda actor: client_selectors.client_get(actor=actor, client_id=client_id))


def _service(request, service_id) -> Service:
    service = Service.objects.filter(pk=service_id, client__in=clients_visible_to(api_actor(request))).select_related(
        "product").first()
    if service is None:
        raise NotFound(_("Service not found."))
    return service


@router.get("/services/{service_id}", response=ServiceOut, auth=scoped(CLIENTS_READ))
def get_service(request, service_id: UUID):
    return service_out(_service(request, service_id))


def _action_endpoint(action: str, operation):
    """POST /services/{service_id}/<action>: operation(actor, service_id), answered with the service
    as it is then. Named <action>_service, as the operation ids and summaries always were."""

    def endpoint(request, service_id: UUID):
        service = _service(request, service_id)
        operation(actor=api_actor(request), service_id=service.pk)
        return service_out(Service.objects.select_related("product").get(pk=service.pk))

    endpoint.__name__ = endpoint.__qualname__ = f"{action}_service"
    return router.post(f"/services/{{service_id}}/{action}", response=ServiceOut, auth=scoped(CLIENTS_WRITE))(endpoint)


suspend_service = _action_endpoint("suspend", services.service_suspend)
unsuspend_service = _action_endpoint("unsuspend", services.service_unsuspend)
terminate_service = _action_endpoint("terminate", services.service_terminate)
retry_service = _action_endpoint("retry", services.service_retry)
