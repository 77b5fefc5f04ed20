"""Writes for clients, addresses, client users, groups, staff assignments and the VIES check. Each
service is one transaction: all or nothing. Importers use the names listed here."""

from .clients import (
    address_create,
    address_delete,
    address_update,
    client_create,
    client_transfer_ownership,
    client_update,
    client_user_link,
    client_user_remove,
    client_user_update,
    client_vies_check,
    group_delete,
    group_save,
    search_text_of,
    staff_assignments_set,
    staff_member_update,
)

__all__ = [
    "address_create",
    "address_delete",
    "address_update",
    "client_create",
    "client_transfer_ownership",
    "client_update",
    "client_user_link",
    "client_user_remove",
    "client_user_update",
    "client_vies_check",
    "group_delete",
    "group_save",
    "search_text_of",
    "staff_assignments_set",
    "staff_member_update",
]
