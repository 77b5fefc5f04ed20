"""Which clients an actor sees (clients_visible_to, the one place that scope is decided), the
client directory and one client with its addresses."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.roles import VIEW_CLIENTS
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.pagination import (
    MAX_PAGE_SIZE,
    Page,
    capped_count,
    estimated_beyond_cap,
    keyset_page,
    ordering_of,
)
from clientpanel.core.sorting import Sort, sort_of

from ..models import Address, AddressType, Client, ClientStatus, StaffAssignment
from .search import asked_whole, search_word_condition, search_words

# Directory sorts: public name → model fields (id is appended to break ties).
CLIENT_SORTS: dict[str, list[str]] = {
    "number": ["number"],
    "owner_email": ["owner__email"],
    "display_name": ["display_name"],
    "status": ["status"],
    "located": ["billing_country", "billing_city"],
    "created_at": ["created_at"],
    # Currency first: 100 EUR and 100 PLN are not the same amount, so a balance sort lists each
    # currency's clients together (in the sort's direction, as the index reads them backwards).
    "balance": ["balance_row__currency", "balance_row__balance"],
}
SORT_ALIASES = {"owner": "owner_email", "client": "display_name", "country": "located", "created": "created_at"}
DEFAULT_SORT = "-created_at"


def sees_every_client(actor: ActorLike) -> bool:
    """Whether clients_visible_to(actor) is every client: a caller then filters nothing, where
    `client__in=clients_visible_to(actor)` would make the database semi-join a million clients."""
    actor = as_actor(actor)
    return actor.is_system or (actor.is_staff_side and actor.has_area(VIEW_CLIENTS)
                               and not actor.limited_to_assigned)


def clients_visible_to(actor: ActorLike) -> QuerySet[Client]:
    """Every client the actor may see — the one place that scope is decided. Staff with the View
    clients area see all, or only their assigned clients when limited to them; a portal user the
    client it acts for; the system (None) every client. Every list, search, page, export and API
    call starts here."""
    actor = as_actor(actor)
    if actor.is_system:
        return Client.objects.all()
    if actor.is_portal:
        return Client.objects.filter(pk=actor.client_id) if actor.client_id else Client.objects.none()
    if not actor.has_area(VIEW_CLIENTS):
        return Client.objects.none()
    if actor.limited_to_assigned:
        return Client.objects.filter(pk__in=StaffAssignment.objects.filter(staff=actor.user).values("client_id"))
    return Client.objects.all()


def client_sort(sort: str | None) -> Sort:
    """The directory's sort: core.sorting.sort_of over CLIENT_SORTS, an alias (SORT_ALIASES) read as
    the sort it names ("-owner" is "-owner_email"); ValidationFailed on `sort` for another. Its
    fields leave out the id that breaks ties (the directory adds it, in the sort's direction)."""
    asked = (sort or "").strip() or DEFAULT_SORT
    name = asked.lstrip("-")
    name = SORT_ALIASES.get(name, name)
    return sort_of(f"-{name}" if asked.startswith("-") else name, CLIENT_SORTS, default=DEFAULT_SORT)


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """The directory's sort as its name (aliases resolved) and whether it is descending."""
    order = client_sort(sort)
    return order.key, order.descending


def client_directory_queryset(
    *, actor: ActorLike, search: str = "", status: str | None = None, country: str | None = None,
    group: str | int | None = None,
) -> QuerySet[Client]:
    clients = clients_visible_to(actor)
    for word in search_words(search or ""):
        # search_text is lower-cased, so a plain (case-sensitive) LIKE matches and PostgreSQL's
        # trigram index serves it; icontains would emit UPPER(...) LIKE, which that index cannot.
        clients = clients.filter(search_word_condition(word))
    if status:
        if status.upper() not in ClientStatus.values:
            raise ValidationFailed(_("Unknown status %(status)s.") % {"status": repr(status)},
                                   fields={"status": [_("Use one of %(choices)s.")
                                                      % {"choices": ", ".join(ClientStatus.values)}]})
        clients = clients.filter(status=status.upper())
    if country:
        if len(country) != 2 or not country.isalpha():
            raise ValidationFailed(_("Unknown country %(country)s.") % {"country": repr(country)},
                                   fields={"country": [_("Use an ISO 3166-1 alpha-2 code, e.g. PL.")]})
        clients = clients.filter(billing_country=country.upper())
    if group not in (None, ""):
        try:
            group_id = int(group)
            if not 0 < group_id < 2**31:  # beyond any id, and beyond what SQLite can bind
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationFailed(_("Unknown group %(group)s.") % {"group": repr(str(group)[:20])},
                                   fields={"group": [_("Use a group id.")]}) from None
        clients = clients.filter(group_id=group_id)
    return clients


# What a directory page never shows: the long texts of the client's row, and all of the owner's but
# its name and e-mail (a password hash, second-factor secrets, JSON recovery codes to decode).
_NOT_LISTED = ("search_text", "admin_notes", "public_notes", *(
    f"owner__{field.name}" for field in Client._meta.get_field("owner").related_model._meta.concrete_fields
    if field.name not in {"id", "email", "firstname", "lastname"}))


def _sortable(clients: QuerySet[Client], sort_name: str) -> QuerySet[Client]:
    """The clients ready to be ordered by this sort. Sorting by balance orders by the balance row's
    columns: joined as a filter (an inner join — every client has its row), the database can walk
    that row's sort index and fetch each client by key; a plain order_by would join it outer, which
    PostgreSQL cannot drive from the joined side's index."""
    return clients.filter(balance_row__isnull=False) if sort_name == "balance" else clients


def _shown(clients: QuerySet[Client], with_billing_address: bool) -> QuerySet[Client]:
    """What a page shows of these clients: owner and balance joined, the long texts left out, and
    the billing address joined when asked (one per client, a constraint holds it)."""
    shown = clients.select_related("owner", "balance_row").defer(*_NOT_LISTED)
    if with_billing_address:
        billing = FilteredRelation("addresses", condition=Q(addresses__type=AddressType.BILLING))
        shown = shown.annotate(billing=billing).select_related("billing")
    return shown


def client_sort_values(client: Client, fields: list[str]) -> list[Any]:
    values: list[Any] = []
    for field in fields:
        if field == "owner__email":
            values.append(client.owner.email)
        elif field == "created_at":
            values.append(client.created_at.isoformat())
        elif field == "balance_row__currency":
            values.append(client.balance_row.currency)
        elif field == "balance_row__balance":
            values.append(str(client.balance))
        else:
            values.append(str(getattr(client, field)))
    return values


def client_directory(
    *,
    actor: ActorLike,
    search: str = "",
    status: str | None = None,
    country: str | None = None,
    group: str | int | None = None,
    sort: str | None = None,
    page_size: int = 50,
    cursor: str | None = None,
    page: int | None = None,
    with_billing_address: bool = False,
) -> Page:
    """The client directory: search, filters, sort by any column, and either keyset paging
    (`cursor`, fast at any depth) or page numbers (`page`, OFFSET-based, for the API contract).
    The count is exact up to COUNT_CAP and flagged as capped beyond it. `with_billing_address`
    joins each client's billing address (`client.billing`, None if it has none) into the page."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(_("Bad page size."),
                               fields={"page_size": [_("Use 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]})
    order = client_sort(sort)
    name, descending, fields = order.key, order.descending, [*order.fields, "id"]
    clients = client_directory_queryset(actor=actor, search=search, status=status, country=country, group=group)
    # Every client, or a search alone over every client, may be counted from the planner's
    # estimate: the table's size, or search_text's histogram of 1,000 bounds (migration 0019).
    # Filters and a limited scope are always counted.
    words = search_words(search or "")
    searched, narrowed = bool(words), bool(status or country or group not in (None, ""))
    everyone = sees_every_client(actor)
    # Only one word asked of the index whole has an estimate from the histogram alone; the
    # planner multiplies several words, or a word's runs and its strpos, as if independent.
    estimable = everyone and not narrowed and (not words or (len(words) == 1 and asked_whole(words[0])))
    filtered = searched or narrowed or not everyone
    # A search alone: the planner's estimate says whether its matches are many (the count is not
    # read, the page walks the sort's index and meets 50 of them soon) or few (they are collected
    # and sorted: a walk would pass thousands of clients for each one it finds).
    many = None
    if searched and estimable:
        many = estimated_beyond_cap(clients)
    sortable = _sortable(clients, name)
    # What a page shows of the clients it picked (by key: the filters are not applied twice).
    shown = _shown(Client.objects.all(), with_billing_address)
    if page is not None:
        if page < 1:
            raise ValidationFailed(_("Bad page."), fields={"page": [_("Pages start at 1.")]})
        ordering = ordering_of(fields, descending, walk_sort_index=many is not False)
        offset = (page - 1) * page_size
        # Pick the page's ids by the sort alone, then load just those rows.
        ids = list(sortable.order_by(*ordering).values_list("id", flat=True)[offset: offset + page_size])
        rows = {c.id: c for c in shown.filter(id__in=ids)}
        # A first page that is not full holds every match: its length is the count.
        if page == 1 and len(ids) < page_size:
            count, capped = len(ids), False
        else:
            count, capped = capped_count(clients, trust_estimate=estimable, beyond_cap=many)
        return Page(results=[rows[i] for i in ids if i in rows], count=count, count_capped=capped,
                    page_size=page_size)
    try:
        # Unfiltered, the database walks the sort index and joins as it goes: one plain query.
        # Filtered, it collects the matches first: the page's ids are picked before the joins.
        rows, next_cursor, prev_cursor = keyset_page(
            sortable if filtered else _shown(sortable, with_billing_address),
            fields=fields, descending=descending, page_size=page_size, cursor=cursor,
            value_of=lambda c: client_sort_values(c, fields),
            load=(lambda ids: shown.filter(pk__in=ids)) if filtered else None, walk_sort_index=many is not False,
        )
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"cursor": [str(error)]}) from None
    # The first page without a next one holds every match (a narrow search, an empty one): its
    # length is the count, and the count's own query — a second trigram search — is not needed.
    if cursor is None and next_cursor is None:
        count, capped = len(rows), False
    else:
        count, capped = capped_count(clients, trust_estimate=estimable, beyond_cap=many)
    return Page(results=rows, count=count, count_capped=capped, page_size=page_size,
                next_cursor=next_cursor, previous_cursor=prev_cursor)


def client_directory_rows(
    *, actor: ActorLike, search: str = "", status: str | None = None, country: str | None = None,
    group: str | int | None = None, sort: str | None = None,
) -> QuerySet[Client]:
    """Every client the directory lists for this search, these filters and this sort — all pages,
    for an export: read it with .iterator() (it has the owner and group joined, nothing to prefetch)."""
    clients = client_directory_queryset(actor=actor, search=search, status=status, country=country, group=group)
    return clients_for_export(clients, sort)


def clients_for_export(clients: QuerySet[Client], sort: str | None) -> QuerySet[Client]:
    """These clients in the directory's order for `sort`, with what an export row reads (owner,
    group and balance) joined."""
    order = client_sort(sort)
    ordering = [*order.ordering, "-id" if order.descending else "id"]
    return _sortable(clients, order.key).select_related("owner", "group", "balance_row").order_by(*ordering)


def client_get(*, actor: ActorLike, client_id) -> Client:
    try:
        return clients_visible_to(actor).select_related("owner", "group", "balance_row").get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Client not found.")) from None


def client_addresses(*, client: Client) -> QuerySet[Address]:
    type_order = Case(
        When(type=AddressType.BILLING, then=Value(0)),
        When(type=AddressType.SHIPPING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return client.addresses.annotate(type_order=type_order).order_by("type_order", "-is_default", "created_at", "pk")


def billing_address_of(client: Client) -> Address:
    return client.addresses.get(type=AddressType.BILLING)


def address_get(*, client: Client, address_id) -> Address:
    try:
        return client.addresses.get(pk=address_id)
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Address not found for this client.")) from None


def clients_newest(*, actor: ActorLike, count: int = 10) -> list[Client]:
    """The newest clients the actor sees, with their owners (the dashboard's list; no count)."""
    return list(clients_visible_to(actor).select_related("owner").order_by("-created_at", "-id")[:count])


def client_status_counts(*, actor: ActorLike) -> dict[str, int]:
    rows = clients_visible_to(actor).values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in ClientStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def client_ids_by_number(*, actor: ActorLike, numbers: list[str]) -> tuple[list, list[str]]:
    """The ids of the clients with these numbers that the actor sees, and the numbers it does not
    (unknown and hidden alike, so a number tells nothing about clients outside its scope)."""
    clients = clients_visible_to(actor)
    found = dict(clients.filter(number__in=numbers).values_list("number", "id"))
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]
