"""Writes of the accounts app, one module per sub-domain: staff (staff members), roles, api_tokens and
users (client users, the panel's language, what set-password and verification links do); cleaning
holds the e-mail, password and role cleaning they share, which the clients app uses too. Each service
is one transaction: all or nothing. Importers use the names listed here, not the modules."""

from .api_tokens import api_token_create, api_token_revoke
from .cleaning import clean_email, clean_password
from .own_account import user_account_update, user_password_change
from .roles import role_save
from .staff import staff_2fa_reset, staff_create, staff_password_reset, staff_update
from .users import (
    client_user_create,
    email_verify_from_link,
    password_set_from_link,
    set_password_links_end,
    user_language_set,
)

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "clean_email",
    "clean_password",
    "client_user_create",
    "email_verify_from_link",
    "password_set_from_link",
    "role_save",
    "set_password_links_end",
    "staff_2fa_reset",
    "staff_create",
    "staff_password_reset",
    "staff_update",
    "user_account_update",
    "user_language_set",
    "user_password_change",
]
