"""Permissions a client user can hold on a client (SPEC §3)."""

MODIFY_MASTER_PROFILE = "modify-master-profile"
MANAGE_USERS = "manage-users"
MANAGE_SERVICES = "manage-services"
MANAGE_INVOICES = "manage-invoices"
MANAGE_ORDERS = "manage-orders"
VIEW_DOCUMENTS = "view-documents"
MANAGE_DOMAINS = "manage-domains"
MANAGE_SUPPORT_TICKETS = "manage-support-tickets"
MANAGE_AFFILIATE = "manage-affiliate"

CLIENT_PERMISSIONS: dict[str, str] = {
    MODIFY_MASTER_PROFILE: "Modify Master Account Profile",
    MANAGE_USERS: "Manage Users",
    MANAGE_SERVICES: "Manage Services",
    MANAGE_INVOICES: "Manage Invoices",
    MANAGE_ORDERS: "Place New Orders/Upgrades/Cancellations",
    VIEW_DOCUMENTS: "View Documents",
    MANAGE_DOMAINS: "Manage Domains",
    MANAGE_SUPPORT_TICKETS: "View & Open Support Tickets",
    MANAGE_AFFILIATE: "Manage Affiliate",
}
# Stored and editable for integrations, but their modules do not exist yet ("Other modules").
OTHER_MODULE_PERMISSIONS = (MANAGE_DOMAINS, MANAGE_SUPPORT_TICKETS, MANAGE_AFFILIATE)
ALL_PERMISSIONS = tuple(CLIENT_PERMISSIONS)
