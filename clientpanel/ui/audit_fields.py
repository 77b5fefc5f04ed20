"""The fields an audit event names, in words (issue 14): the Activity tab and the activity log show
"Credit Limit" and "Billing address · City", not credit_limit and billing_address.city. A key
nobody named here is shown as it is (and keeps its code as the tooltip either way)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .labels import SETTING_NAMES

AUDIT_FIELDS = {
    # The client (clients.Client) and what its services record beside its fields.
    "client": _("Client"), "user": _("User"), "number": _("Number"), "id_number": _("ID Number"),
    "status": _("Status"), "owner": _("Owner"),
    "firstname": _("First name"), "lastname": _("Last name"), "company_name": _("Company name"),
    "display_name": _("Display name"), "tax_id": _("Tax ID"), "phone": _("Phone"), "credit_limit": _("Credit Limit"),
    "balance": _("Balance"), "group": _("Group"), "home_company": _("Home company"), "admin_notes": _("Admin Notes"),
    "public_notes": _("Public Notes"), "vies_status": _("VIES status"), "vies_checked_at": _("VIES checked at"),
    "vies_error": _("VIES error"), "billing_country": _("Billing country"), "billing_city": _("Billing city"),
    "welcome_email": _("Welcome e-mail"), "client_import": pgettext_lazy("audited field", "CSV import"),
    "line": pgettext_lazy("audited field", "Line of the file"),
    # Its addresses (clients.Address).
    "type": _("Type"), "name": _("Name"), "contact_name": _("Contact"), "email": _("Email"),
    "address1": _("Address 1"), "address2": _("Address 2"), "city": _("City"), "postcode": _("Postcode"),
    "country": _("Country"), "region": _("State/Region"), "notes": _("Notes"),
    "is_default": _("Default shipping address"),
    # Its users (accounts.User, clients.ClientUser).
    "permissions": _("Permissions"), "muted_emails": _("E-mails switched off"), "email_verified": _("Email verified"),
    "two_factor": _("Two-factor authentication"), "password": _("Password"),
}
# What a key before a dot names ("billing_address.city": the client's billing address's city).
AUDIT_FIELD_GROUPS = {"billing_address": _("Billing address")}


def audit_field_label(key: str) -> str:
    """An audited field's label in the reader's language; a setting by its name; an unknown key as
    it is."""
    if not key:
        return ""
    group, dot, field = key.partition(".")
    if dot and group in AUDIT_FIELD_GROUPS:
        return f"{AUDIT_FIELD_GROUPS[group]} · {audit_field_label(field)}"
    label = SETTING_NAMES.get(key) or AUDIT_FIELDS.get(key)
    return str(label) if label is not None else key
