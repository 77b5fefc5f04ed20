"""Reads for clients and addresses, with the actor's scope applied once here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User
from clientpanel.accounts.roles import VIEW_CLIENTS
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.pagination import MAX_PAGE_SIZE, Page, capped_count, keyset_page
from clientpanel.core.text import at_most_characters
from clientpanel.tax.selectors import TaxDecision, tax_decision

from .models import Address, AddressType, Client, ClientGroup, ClientStatus, ClientUser, StaffAssignment
from .permissions import MANAGE_USERS

# Directory sorts: public name → model fields (id is appended to break ties).
CLIENT_SORTS: dict[str, list[str]] = {
    "number": ["number"],
    "owner_email": ["owner__email"],
    "display_name": ["display_name"],
    "status": ["status"],
    "located": ["billing_country", "billing_city"],
    "created_at": ["created_at"],
    "balance": ["balance"],
}
SORT_ALIASES = {"owner": "owner_email", "client": "display_name", "country": "located", "created": "created_at"}
DEFAULT_SORT = "-created_at"
MAX_SEARCH_LENGTH = 100


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


def parse_sort(sort: str | None) -> tuple[str, bool]:
    sort = (sort or DEFAULT_SORT).strip()
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    name = SORT_ALIASES.get(name, name)
    if name not in CLIENT_SORTS:
        raise ValidationFailed(
            _("Cannot sort by %(name)s.") % {"name": repr(name)},
            fields={"sort": [_("Use one of %(choices)s, with - for descending.")
                             % {"choices": ", ".join(CLIENT_SORTS)}]},
        )
    return name, descending


def _search_words(search: str) -> list[str]:
    if len(search) > MAX_SEARCH_LENGTH:
        raise ValidationFailed(_("The search is too long."),
                               fields={"search": [at_most_characters(MAX_SEARCH_LENGTH)]})
    return [word for word in search.lower().split() if word][:8]


def client_directory_queryset(
    *, actor: ActorLike, search: str = "", status: str | None = None, country: str | None = None,
    group: str | int | None = None,
) -> QuerySet[Client]:
    clients = clients_visible_to(actor)
    for word in _search_words(search or ""):
        # search_text is lower-cased, so a plain (case-sensitive) LIKE matches and PostgreSQL's
        # trigram index serves it; icontains would emit UPPER(...) LIKE, which that index cannot.
        clients = clients.filter(search_text__contains=word)
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


def client_sort_values(client: Client, fields: list[str]) -> list[Any]:
    values: list[Any] = []
    for field in fields:
        if field == "owner__email":
            values.append(client.owner.email)
        elif field == "created_at":
            values.append(client.created_at.isoformat())
        elif field == "balance":
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
) -> Page:
    """The client directory: search, filters, sort by any column, and either keyset paging
    (`cursor`, fast at any depth) or page numbers (`page`, OFFSET-based, for the API contract).
    The count is exact up to COUNT_CAP and flagged as capped beyond it."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(_("Bad page size."),
                               fields={"page_size": [_("Use 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]})
    name, descending = parse_sort(sort)
    fields = [*CLIENT_SORTS[name], "id"]
    clients = client_directory_queryset(actor=actor, search=search, status=status, country=country, group=group)
    count, capped = capped_count(clients)
    listed = clients.select_related("owner", "group")
    if page is not None:
        if page < 1:
            raise ValidationFailed(_("Bad page."), fields={"page": [_("Pages start at 1.")]})
        ordering = [f"-{f}" if descending else f for f in fields]
        offset = (page - 1) * page_size
        # Pick the page's ids through the sort index alone, then load just those rows.
        ids = list(clients.order_by(*ordering).values_list("id", flat=True)[offset: offset + page_size])
        rows = {c.id: c for c in listed.filter(id__in=ids)}
        return Page(results=[rows[i] for i in ids if i in rows], count=count, count_capped=capped,
                    page_size=page_size)
    try:
        rows, next_cursor, prev_cursor = keyset_page(
            listed, fields=fields, descending=descending, page_size=page_size, cursor=cursor,
            value_of=lambda c: client_sort_values(c, fields),
        )
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"cursor": [str(error)]}) from None
    return Page(results=rows, count=count, count_capped=capped, page_size=page_size,
                next_cursor=next_cursor, previous_cursor=prev_cursor)


def client_get(*, actor: ActorLike, client_id) -> Client:
    try:
        return clients_visible_to(actor).select_related("owner", "group").get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Client not found.")) from None


def client_addresses(*, client: Client) -> QuerySet[Address]:
    type_order = Case(
        When(type=AddressType.BILLING, then=Value(0)),
        When(type=AddressType.SHIPPING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return client.addresses.annotate(type_order=type_order).order_by("type_order", "-is_default", "created_at")


def billing_address_of(client: Client) -> Address:
    return client.addresses.get(type=AddressType.BILLING)


def address_get(*, client: Client, address_id) -> Address:
    try:
        return client.addresses.get(pk=address_id)
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Address not found for this client.")) from None


def client_status_counts(*, actor: ActorLike) -> dict[str, int]:
    rows = clients_visible_to(actor).values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in ClientStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def client_user_links(*, client: Client) -> QuerySet[ClientUser]:
    """The client's linked users, the owner first."""
    owner_first = Case(When(user_id=client.owner_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    return client.user_links.select_related("user").annotate(owner_first=owner_first).order_by(
        "owner_first", "user__email")


def user_client_links(*, actor: ActorLike, user: User) -> QuerySet[ClientUser]:
    """Every client the user belongs to that the actor may see, with the permissions on each."""
    return ClientUser.objects.filter(user=user, client__in=clients_visible_to(actor)).select_related("client")


def user_candidates(*, actor: ActorLike, search: str, client: Client | None = None, limit: int = 10) -> list[User]:
    """Client users whose email or name matches, for the "Associate User" picker: only users the
    actor sees already (users_visible_to), so the picker lists nobody from other clients."""
    search = (search or "").strip().lower()[:100]
    if len(search) < 2:
        return []
    visible = users_visible_to(actor)
    users = visible.filter(is_staff=False).filter(
        Q(email__contains=search) | Q(firstname__icontains=search) | Q(lastname__icontains=search))
    if client is not None:
        users = users.exclude(client_links__client=client)
    return list(users.order_by("email")[:limit])


def users_visible_to(actor: ActorLike, *, search: str = "", kind: str = "") -> QuerySet[User]:
    """Users in Manage Users: all of them for unlimited staff; a limited staff member sees the
    users of their assigned clients only."""
    actor = as_actor(actor)
    if actor.is_portal:
        # The users of its client, for a portal user who may manage them.
        if not actor.may_on_client(actor.client_id, MANAGE_USERS):
            return User.objects.none()
        users = User.objects.filter(client_links__client_id=actor.client_id)
    elif not (actor.is_system or actor.has_area(VIEW_CLIENTS)):
        return User.objects.none()
    else:
        users = User.objects.all()
        if actor.limited_to_assigned:
            users = users.filter(client_links__client__in=clients_visible_to(actor)).distinct()
    if kind == "staff":
        users = users.filter(is_staff=True)
    elif kind == "client":
        users = users.filter(is_staff=False)
    for word in (search or "").lower().split()[:4]:
        users = users.filter(Q(email__contains=word) | Q(firstname__icontains=word) | Q(lastname__icontains=word))
    return users.annotate(client_count=Count("client_links", distinct=True))


def user_get(*, actor: ActorLike, user_id) -> User:
    try:
        return users_visible_to(actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("User not found.")) from None


def client_ids_by_number(*, actor: ActorLike, numbers: list[str]) -> tuple[list, list[str]]:
    """The ids of the clients with these numbers that the actor sees, and the numbers it does not
    (unknown and hidden alike, so a number tells nothing about clients outside its scope)."""
    clients = clients_visible_to(actor)
    found = dict(clients.filter(number__in=numbers).values_list("number", "id"))
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def group_list() -> QuerySet[ClientGroup]:
    return ClientGroup.objects.annotate(client_count=Count("clients")).order_by("name")


def group_get(*, group_id) -> ClientGroup:
    try:
        return ClientGroup.objects.get(pk=group_id)
    except (ClientGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Group not found.")) from None


# --- settings inheritance (SPEC §8) ----------------------------------------------------------

INHERITED_SETTINGS = ("currency", "language", "payment_terms_days", "tax_exempt", "reminders_enabled")
HOME_COMPANY_SETTINGS = ("payment_terms_days",)


def _system_default(key: str):
    defaults = {
        "currency": settings.CLIENTPANEL_DEFAULT_CURRENCY,
        "language": settings.CLIENTPANEL_DEFAULT_LANGUAGE,
        **settings.CLIENTPANEL_SETTING_DEFAULTS,
    }
    return defaults[key]


def client_tax_decision(client: Client) -> TaxDecision:
    """The home company that bills the client today and the taxes it charges (SPEC §6)."""
    billing = billing_address_of(client)
    return tax_decision(country=billing.country, region=billing.region, company_name=client.company_name,
                        tax_id=client.tax_id, vies_status=client.vies_status,
                        pinned_company_id=client.home_company_id)


def effective_setting(client: Client, key: str) -> tuple[object, str]:
    """A setting's effective value and where it comes from: the client's own, else its group's,
    else its home company's (pinned, or the one the tax rules pick), else the system default
    ("client", "group", "home company", "system")."""
    if key not in INHERITED_SETTINGS:
        raise KeyError(f"{key} is not an inherited setting; use one of {', '.join(INHERITED_SETTINGS)}")
    own = getattr(client, key)
    if own not in (None, ""):
        return own, "client"
    group = client.group
    if group is not None and getattr(group, key) not in (None, ""):
        return getattr(group, key), "group"
    if key in HOME_COMPANY_SETTINGS:
        company = client_tax_decision(client).home_company
        if getattr(company, key) not in (None, ""):
            return getattr(company, key), "home company"
    return _system_default(key), "system"


def effective_settings(client: Client) -> dict[str, tuple[object, str]]:
    return {key: effective_setting(client, key) for key in INHERITED_SETTINGS}
