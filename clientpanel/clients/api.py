"""REST endpoints for clients and their addresses (thin callers of services and selectors)."""

from __future__ import annotations

from uuid import UUID

from ninja import Query, Router, Schema, Status

from clientpanel.accounts.api_auth import api_actor, require_scope
from clientpanel.accounts.scopes import CLIENTS_READ, CLIENTS_WRITE

from . import selectors, services
from .models import AddressType
from .schemas import (
    AddressIn,
    AddressListOut,
    AddressOut,
    ClientCreateIn,
    ClientListOut,
    ClientOut,
    ClientUpdateIn,
    address_out,
    client_out,
)

router = Router(tags=["clients"])


class ClientListParams(Schema):
    search: str = ""
    status: str | None = None
    country: str | None = None
    sort: str | None = None
    page: int | None = None
    page_size: int = 50
    cursor: str | None = None


def _billing_addresses(clients) -> dict:
    from .models import Address

    rows = Address.objects.filter(client_id__in=[c.id for c in clients], type=AddressType.BILLING)
    return {a.client_id: a for a in rows}


@router.get("/clients", response=ClientListOut, summary="List, search, filter and sort clients")
def list_clients(request, params: Query[ClientListParams]):
    """`page`/`page_size` (≤ 500) as everywhere; `cursor` (from `next_cursor`) pages at any depth
    in constant time. `count` is exact up to 10,000; beyond it `count_capped` is true."""
    require_scope(request, CLIENTS_READ)
    # Without `page`, the first page is served by keyset so `next_cursor` is there to follow.
    result = selectors.client_directory(
        actor=api_actor(request), search=params.search, status=params.status, country=params.country,
        sort=params.sort, page_size=params.page_size, cursor=params.cursor, page=params.page,
    )
    billing = _billing_addresses(result.results)
    return {
        "count": result.count, "count_capped": result.count_capped, "next_cursor": result.next_cursor,
        "results": [client_out(c, billing.get(c.id)) for c in result.results],
    }


@router.post("/clients", response={201: ClientOut}, summary="Create a client with its owner and billing address")
def create_client(request, payload: ClientCreateIn):
    require_scope(request, CLIENTS_WRITE)
    client = services.client_create(actor=api_actor(request), data=payload.model_dump(exclude_unset=True))
    return Status(201, client_out(client, selectors.billing_address_of(client)))


@router.get("/clients/{client_id}", response=ClientOut)
def get_client(request, client_id: UUID):
    require_scope(request, CLIENTS_READ)
    client = selectors.client_get(actor=api_actor(request), client_id=client_id)
    return client_out(client, selectors.billing_address_of(client))


@router.patch("/clients/{client_id}", response=ClientOut)
def update_client(request, client_id: UUID, payload: ClientUpdateIn):
    require_scope(request, CLIENTS_WRITE)
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    client = services.client_update(actor=api_actor(request), client_id=client_id,
                                    data=payload.model_dump(exclude_unset=True))
    return client_out(client, selectors.billing_address_of(client))


@router.get("/clients/{client_id}/addresses", response=AddressListOut)
def list_addresses(request, client_id: UUID):
    require_scope(request, CLIENTS_READ)
    client = selectors.client_get(actor=api_actor(request), client_id=client_id)
    addresses = list(selectors.client_addresses(client=client))
    return {"count": len(addresses), "results": [address_out(a) for a in addresses]}


@router.post("/clients/{client_id}/addresses", response={201: AddressOut})
def create_address(request, client_id: UUID, payload: AddressIn):
    require_scope(request, CLIENTS_WRITE)
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    address = services.address_create(actor=api_actor(request), client_id=client_id,
                                      data=payload.model_dump(exclude_unset=True))
    return Status(201, address_out(address))


@router.patch("/clients/{client_id}/addresses/{address_id}", response=AddressOut)
def update_address(request, client_id: UUID, address_id: UUID, payload: AddressIn):
    require_scope(request, CLIENTS_WRITE)
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    address = services.address_update(actor=api_actor(request), client_id=client_id, address_id=address_id,
                                      data=payload.model_dump(exclude_unset=True))
    return address_out(address)


@router.delete("/clients/{client_id}/addresses/{address_id}", response={204: None})
def delete_address(request, client_id: UUID, address_id: UUID):
    require_scope(request, CLIENTS_WRITE)
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    services.address_delete(actor=api_actor(request), client_id=client_id, address_id=address_id)
    return Status(204, None)
