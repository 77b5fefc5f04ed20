"""REST endpoints for clients and their addresses (thin callers of services and selectors)."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.renderers import JSONRenderer

from clientpanel.accounts import services as user_services
from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import (
    CLIENTS_READ,
    CLIENTS_WRITE,
    GROUPS_READ,
    GROUPS_WRITE,
    USERS_READ,
    USERS_WRITE,
)
from clientpanel.core.api_types import Cursor, IntId, OneLine, Page, PageSize, Search
from clientpanel.core.pagination import capped_count
from clientpanel.core.schemas import SearchPageParams, list_page

from . import selectors, services
from .models import ClientStatus
from .schemas import (
    AddressIn,
    AddressListOut,
    AddressOut,
    ClientCreateIn,
    ClientListOut,
    ClientOut,
    ClientUpdateIn,
    ClientUserLinkIn,
    ClientUserListOut,
    ClientUserOut,
    ClientUserPatchIn,
    GroupIn,
    GroupListOut,
    GroupOut,
    UserCreateIn,
    UserDetailOut,
    UserListOut,
    address_out,
    client_out,
    client_user_out,
    group_out,
    user_out,
)
from .selectors.directory import CLIENT_SORTS, DEFAULT_SORT, SORT_ALIASES

router = Router(tags=["clients"])


class ClientListParams(Schema):
    search: Search = ""
    status: OneLine(10) | None = Field(None, description=f"One of {', '.join(ClientStatus.values)}")
    country: OneLine(2) | None = Field(None, description="The billing address's ISO 3166-1 alpha-2 code, e.g. GB")
    group: IntId | None = Field(None, description="A client group's id (GET /groups)")
    sort: OneLine(40) | None = Field(None, description=(
        f"One of {', '.join(CLIENT_SORTS)} (or {', '.join(SORT_ALIASES)}), "
        f"- first for descending; default {DEFAULT_SORT}; ties broken by id, in the same direction"))
    page: Page | None = None
    page_size: PageSize = 50
    cursor: Cursor | None = Field(None, description=(
        "The previous page's next_cursor, asked with the same search, filters and sort; ignored when page is given "
        "(then next_cursor is null)"))


@router.get("/clients", response=ClientListOut, summary="List, search, filter and sort clients",
            auth=scoped(CLIENTS_READ))
def list_clients(request, params: Query[ClientListParams]):
    """`page`/`page_size` (≤ 500) as everywhere; `cursor` (from `next_cursor`) pages at any depth
    in constant time. `count` is exact up to 1,000; beyond it `count_capped` is true."""
    # Without `page`, the first page is served by keyset so `next_cursor` is there to follow.
    result = selectors.client_directory(
        actor=api_actor(request), search=params.search, status=params.status, country=params.country,
        group=params.group, sort=params.sort, page_size=params.page_size, cursor=params.cursor, page=params.page,
        with_billing_address=True,
    )
    page = {
        "count": result.count, "count_capped": result.count_capped, "next_cursor": result.next_cursor,
        "results": [client_out(c, getattr(c, "billing", None)) for c in result.results],
    }
    # client_out writes each row as ClientOut has it (text, numbers, booleans), so the page is
    # rendered as it is rather than validated field by field a second time (a third of the
    # request at 50 rows); clients/tests/test_api.py holds the two the same.
    return HttpResponse(JSONRenderer().render(request, page, response_status=200),
                        content_type=f"{JSONRenderer.media_type}; charset={settings.DEFAULT_CHARSET}")


@router.post("/clients", response={201: ClientOut}, summary="Create a client with its owner and billing address",
             auth=scoped(CLIENTS_WRITE))
def create_client(request, payload: ClientCreateIn):
    data = payload.model_dump(exclude_unset=True)
    welcome = bool(data.pop("send_welcome_email", False))
    client = services.client_create(actor=api_actor(request), data=data, send_welcome_email=welcome)
    return Status(201, client_out(client, selectors.billing_address_of(client)))


@router.get("/clients/{client_id}", response=ClientOut, auth=scoped(CLIENTS_READ))
def get_client(request, client_id: UUID):
    client = selectors.client_get(actor=api_actor(request), client_id=client_id)
    return client_out(client, selectors.billing_address_of(client))


@router.patch("/clients/{client_id}", response=ClientOut, auth=scoped(CLIENTS_WRITE))
def update_client(request, client_id: UUID, payload: ClientUpdateIn):
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    client = services.client_update(actor=api_actor(request), client_id=client_id,
                                    data=payload.model_dump(exclude_unset=True))
    return client_out(client, selectors.billing_address_of(client))


@router.get("/clients/{client_id}/addresses", response=AddressListOut, auth=scoped(CLIENTS_READ))
def list_addresses(request, client_id: UUID, page: Page = 1, page_size: PageSize = 50):
    client = selectors.client_get(actor=api_actor(request), client_id=client_id)
    return list_page(selectors.client_addresses(client=client), page=page, page_size=page_size,
                     item_out=address_out)


@router.post("/clients/{client_id}/addresses", response={201: AddressOut}, auth=scoped(CLIENTS_WRITE))
def create_address(request, client_id: UUID, payload: AddressIn):
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    address = services.address_create(actor=api_actor(request), client_id=client_id,
                                      data=payload.model_dump(exclude_unset=True))
    return Status(201, address_out(address))


@router.patch("/clients/{client_id}/addresses/{address_id}", response=AddressOut, auth=scoped(CLIENTS_WRITE))
def update_address(request, client_id: UUID, address_id: UUID, payload: AddressIn):
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    address = services.address_update(actor=api_actor(request), client_id=client_id, address_id=address_id,
                                      data=payload.model_dump(exclude_unset=True))
    return address_out(address)


@router.delete("/clients/{client_id}/addresses/{address_id}", response={204: None}, auth=scoped(CLIENTS_WRITE))
def delete_address(request, client_id: UUID, address_id: UUID):
    selectors.client_get(actor=api_actor(request), client_id=client_id)
    services.address_delete(actor=api_actor(request), client_id=client_id, address_id=address_id)
    return Status(204, None)


# --- users and client users --------------------------------------------------------------------

users_router = Router(tags=["users"])


class UserListParams(SearchPageParams):
    # The shared list query, under the name the OpenAPI document has always given it here.
    """Which page of the list, how many rows a page, and the words to search for."""


@users_router.get("/users", response=UserListOut, summary="List users (client users and staff) the token may see",
                  auth=scoped(USERS_READ))
def list_users(request, params: Query[UserListParams]):
    # page and page_size are typed Page and PageSize: ninja refuses out-of-bounds values first.
    start, end = (params.page - 1) * params.page_size, params.page * params.page_size
    users = selectors.users_visible_to(api_actor(request), search=params.search).order_by("email")
    count, capped = capped_count(users)
    return {"count": count, "count_capped": capped, "results": [user_out(u) for u in users[start:end]]}


@users_router.post("/users", response={201: UserDetailOut},
                   summary="Create a client user (not linked to any client)", auth=scoped(USERS_WRITE))
def create_user(request, payload: UserCreateIn):
    user = user_services.client_user_create(actor=api_actor(request), data=payload.model_dump(exclude_unset=True))
    return Status(201, user_out(user, []))


@users_router.get("/users/{user_id}", response=UserDetailOut,
                  summary="A user with every client it belongs to and the permissions", auth=scoped(USERS_READ))
def get_user(request, user_id: UUID):
    user = selectors.user_get(actor=api_actor(request), user_id=user_id)
    return user_out(user, selectors.user_client_links(actor=api_actor(request), user=user))


@router.get("/clients/{client_id}/users", response=ClientUserListOut, summary="Users linked to the client",
            auth=scoped(USERS_READ))
def list_client_users(request, client_id: UUID, page: Page = 1, page_size: PageSize = 50):
    client = selectors.client_get(actor=api_actor(request), client_id=client_id)
    return list_page(selectors.client_user_links(client=client), page=page, page_size=page_size,
                     item_out=client_user_out)


@router.post("/clients/{client_id}/users", response={201: ClientUserOut},
             summary="Link a user by email (created when new) with permissions", auth=scoped(USERS_WRITE))
def link_client_user(request, client_id: UUID, payload: ClientUserLinkIn):
    data = payload.model_dump(exclude_unset=True)
    invite = bool(data.pop("send_invitation", False))
    link = services.client_user_link(actor=api_actor(request), client_id=client_id, data=data,
                                     send_invitation=invite)
    return Status(201, client_user_out(link))


@router.patch("/clients/{client_id}/users/{user_id}", response=ClientUserOut, auth=scoped(USERS_WRITE))
def update_client_user(request, client_id: UUID, user_id: UUID, payload: ClientUserPatchIn):
    data = payload.model_dump(exclude_unset=True)
    # Absent: unchanged (None); null clears them, as null clears every other optional field.
    permissions = (data["permissions"] or []) if "permissions" in data else None
    link = services.client_user_update(actor=api_actor(request), client_id=client_id, user_id=user_id,
                                       permissions=permissions)
    return client_user_out(link)


@router.delete("/clients/{client_id}/users/{user_id}", response={204: None}, auth=scoped(USERS_WRITE))
def remove_client_user(request, client_id: UUID, user_id: UUID):
    services.client_user_remove(actor=api_actor(request), client_id=client_id, user_id=user_id)
    return Status(204, None)


# --- groups ------------------------------------------------------------------------------------

groups_router = Router(tags=["groups"])


@groups_router.get("/groups", response=GroupListOut, auth=scoped(GROUPS_READ))
def list_groups(request, page: Page = 1, page_size: PageSize = 50):
    return list_page(selectors.group_list(actor=api_actor(request)), page=page, page_size=page_size,
                     item_out=group_out)


@groups_router.post("/groups", response={201: GroupOut}, auth=scoped(GROUPS_WRITE))
def create_group(request, payload: GroupIn):
    group = services.group_save(actor=api_actor(request), data=payload.model_dump(exclude_unset=True))
    return Status(201, group_out(group))
