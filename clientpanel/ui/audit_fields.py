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
    # Money on the client's Activity tab: documents, payments, credit notes, manual transactions.
    "total": _("Total"), "net": _("Net"), "amount": _("Amount"), "transaction_id": _("Transaction ID"),
    "proforma": _("Proforma"), "invoice": _("Invoice"), "paid": pgettext_lazy("audited field", "Received"),
    "reason": _("Reason"), "charge_reversed": pgettext_lazy("audited field", "Charge reversed"),
    "credit_limit_override": pgettext_lazy("audited field", "Beyond balance + credit limit"),
    # Services and what they are sold as (catalog.Product, catalog.Price).
    "product": _("Product"), "price": _("Price"), "period": _("Period"), "setup_fee": _("Setup fee"),
    "funds_override": pgettext_lazy("audited field", "Ordered beyond funds + credit limit"),
    "key": _("Key"), "module": _("Module"), "module_settings": pgettext_lazy("audited field", "Module settings"),
    "hourly_billing": _("Bill monthly prices by the hour"), "termination_delay_hours": _("Termination delay (hours)"),
    "cancellation_delay_hours": _("Cancellation delay (hours)"),
    # Settings: staff, groups, home companies and their tax rules, gateways, rates, e-invoices.
    "roles": _("Roles"), "superuser": pgettext_lazy("audited field", "Superuser"),
    "limited_to_assigned_clients": _("Limit to assigned clients"), "is_active": _("Active (may log in)"),
    "clients": _("Clients"), "colour": _("Colour"), "id": pgettext_lazy("audited field", "ID"),
    "local_tax_id": _("Local tax ID"), "eu_vat_id": _("EU VAT ID"), "registration_number": _("Registration number"),
    "us_ein": _("US EIN"), "ca_bn": _("Canadian BN"), "ca_gst_hst": _("GST/HST"), "ca_pst_qst": _("PST/QST"),
    "bank_details": _("Bank details / pay to"), "invoice_footer": _("Invoice footer"),
    "topup_item_name": _("Top-up item name"), "refund_item_name": _("Refund item name"), "time_zone": _("Time zone"),
    "proforma_pattern": _("Proforma pattern"), "proforma_reset": _("Proforma reset"),
    "invoice_pattern": _("Invoice pattern"), "invoice_reset": _("Invoice reset"),
    "credit_note_pattern": _("Credit note pattern"), "credit_note_reset": _("Credit note reset"),
    "reminder_days_before": _("Reminder days before the due date"),
    "reminder_days_overdue": _("Reminder days after the due date"),
    "applies_private": _("Private clients"), "applies_company": _("Companies without tax ID"),
    "applies_company_tax_id": _("Companies with tax ID"), "priority": _("Priority"),
    "tax1_name": _("Tax 1"), "tax1_rate": _("Rate 1 (%)"), "tax2_name": _("Tax 2"), "tax2_rate": _("Rate 2 (%)"),
    "tax3_name": _("Tax 3"), "tax3_rate": _("Rate 3 (%)"),
    "gateway": _("Gateway"), "enabled": pgettext_lazy("audited field", "Switched on"), "currencies": _("Currencies"),
    "settings": _("Settings"), "rate": _("Rate"), "day": _("Day"), "format": pgettext_lazy("audited field", "Format"),
    "vat_exemption_basis": _("Legal basis of VAT exemption, if any"),
    # A currency's Add Funds limits (invoicing.AddFundsLimit).
    "minimum": _("Minimum at once"), "maximum": _("Maximum at once"), "maximum_balance": _("Maximum balance"),
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
