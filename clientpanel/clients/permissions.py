"""Permissions a client user can hold on a client (SPEC §3)."""

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

MODIFY_MASTER_PROFILE = "modify-master-profile"
MANAGE_USERS = "manage-users"
MANAGE_SERVICES = "manage-services"
MANAGE_INVOICES = "manage-invoices"
MANAGE_ORDERS = "manage-orders"
VIEW_DOCUMENTS = "view-documents"
MANAGE_DOMAINS = "manage-domains"
MANAGE_SUPPORT_TICKETS = "manage-support-tickets"
MANAGE_AFFILIATE = "manage-affiliate"

# Labels in the reader's language (str() them to join or store).
CLIENT_PERMISSIONS: dict[str, Promise] = {
    MODIFY_MASTER_PROFILE: pgettext_lazy("client permission", "Modify Master Account Profile"),
    MANAGE_USERS: pgettext_lazy("client permission", "Manage Users"),
    MANAGE_SERVICES: pgettext_lazy("client permission", "Manage Services"),
    MANAGE_INVOICES: pgettext_lazy("client permission", "Manage Invoices"),
    MANAGE_ORDERS: pgettext_lazy("client permission", "Place New Orders/Upgrades/Cancellations"),
    VIEW_DOCUMENTS: pgettext_lazy("client permission", "View Documents"),
    MANAGE_DOMAINS: pgettext_lazy("client permission", "Manage Domains"),
    MANAGE_SUPPORT_TICKETS: pgettext_lazy("client permission", "View & Open Support Tickets"),
    MANAGE_AFFILIATE: pgettext_lazy("client permission", "Manage Affiliate"),
}
# Stored and editable for integrations, but their modules do not exist yet ("Other modules").
OTHER_MODULE_PERMISSIONS = (MANAGE_DOMAINS, MANAGE_SUPPORT_TICKETS, MANAGE_AFFILIATE)
ALL_PERMISSIONS = tuple(CLIENT_PERMISSIONS)
