"""Reads for the clients app, with the actor's scope applied once (directory.clients_visible_to),
one module per sub-domain: directory (which clients an actor sees, the directory, one client and its
addresses), search (how the directory finds a client by a word; clients_found_by lets another list
find its rows' clients so, within that list's own scope), users (client users and the users an actor
sees) and inheritance (groups and the settings a client inherits). Other apps import the names
listed here, not the modules."""

from .directory import (
    CLIENT_SORTS,
    address_get,
    billing_address_of,
    client_addresses,
    client_directory,
    client_directory_queryset,
    client_directory_rows,
    client_get,
    client_ids_by_number,
    client_sort,
    client_sort_values,
    client_status_counts,
    clients_newest,
    clients_visible_to,
    parse_sort,
    sees_every_client,
)
from .inheritance import (
    INHERITED_SETTINGS,
    client_tax_decision,
    effective_setting,
    effective_settings,
    group_get,
    group_list,
    group_names,
)
from .search import clients_found_by
from .selection import BULK_LIMIT, ClientSelection, client_selection, clients_selected
from .statuses import ADDING_FUNDS, ERASE_ACTION, ORDERING, client_erased, new_business_refusal, status_choices_for
from .users import (
    client_user_links,
    is_account_out_of_reach,
    user_candidates,
    user_client_links,
    user_get,
    users_visible_to,
)

__all__ = [
    "ADDING_FUNDS",
    "BULK_LIMIT",
    "CLIENT_SORTS",
    "ERASE_ACTION",
    "INHERITED_SETTINGS",
    "ORDERING",
    "ClientSelection",
    "address_get",
    "billing_address_of",
    "client_addresses",
    "client_directory",
    "client_directory_queryset",
    "client_directory_rows",
    "client_erased",
    "client_get",
    "client_ids_by_number",
    "client_selection",
    "client_sort",
    "client_sort_values",
    "client_status_counts",
    "client_tax_decision",
    "client_user_links",
    "clients_found_by",
    "clients_newest",
    "clients_selected",
    "clients_visible_to",
    "effective_setting",
    "effective_settings",
    "group_get",
    "group_list",
    "group_names",
    "is_account_out_of_reach",
    "new_business_refusal",
    "parse_sort",
    "sees_every_client",
    "status_choices_for",
    "user_candidates",
    "user_client_links",
    "user_get",
    "users_visible_to",
]
