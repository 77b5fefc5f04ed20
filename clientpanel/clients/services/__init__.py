"""Writes for the clients app, one module per sub-domain: clients (the client row), addresses, users
(client users and ownership), groups, staff (assignments) and vies; cleaning holds the field cleaning
they share. Each service is one transaction: all or nothing. Other apps import the names listed here,
not the modules."""

from .addresses import address_create, address_delete, address_update
from .bulk import bulk_actor, clients_bulk_apply, clients_bulk_update
from .clients import (
    client_create,
    client_create_check,
    client_update,
    client_update_check,
    client_welcome_send,
    search_text_of,
)
from .groups import group_delete, group_save
from .profile import PROFILE_ADDRESS_FIELDS, PROFILE_CLIENT_FIELDS, client_profile_update
from .registration import client_self_register, signup_enabled
from .search_statistics import job_measure_search_trigrams, search_trigrams_measure
from .staff import staff_assignments_set, staff_member_update
from .user_accounts import (
    client_user_2fa_reset,
    client_user_account_update,
    client_user_email_mark_verified,
    client_user_password_reset_send,
)
from .users import client_transfer_ownership, client_user_link, client_user_remove, client_user_update
from .vies import client_vies_check, vies_checkable

__all__ = [
    "PROFILE_ADDRESS_FIELDS",
    "PROFILE_CLIENT_FIELDS",
    "address_create",
    "address_delete",
    "address_update",
    "bulk_actor",
    "client_create",
    "client_create_check",
    "client_profile_update",
    "client_self_register",
    "client_transfer_ownership",
    "client_update",
    "client_update_check",
    "client_user_2fa_reset",
    "client_user_account_update",
    "client_user_email_mark_verified",
    "client_user_link",
    "client_user_password_reset_send",
    "client_user_remove",
    "client_user_update",
    "client_vies_check",
    "client_welcome_send",
    "clients_bulk_apply",
    "clients_bulk_update",
    "group_delete",
    "group_save",
    "job_measure_search_trigrams",
    "search_text_of",
    "search_trigrams_measure",
    "signup_enabled",
    "staff_assignments_set",
    "staff_member_update",
    "vies_checkable",
]
