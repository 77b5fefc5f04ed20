"""Writes for users, staff, roles and API tokens. Each service is one transaction: all or nothing.
Importers use the names listed here."""

from .staff import (
    api_token_create,
    api_token_revoke,
    clean_email,
    clean_password,
    client_user_create,
    email_verify_from_link,
    hash_token,
    password_set_from_link,
    role_save,
    staff_create,
    staff_update,
    user_language_set,
)

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "clean_email",
    "clean_password",
    "client_user_create",
    "email_verify_from_link",
    "hash_token",
    "password_set_from_link",
    "role_save",
    "staff_create",
    "staff_update",
    "user_language_set",
]
