"""The staff panel's menu: each entry with the area it needs (None: every staff member) and the pages
it stands for (the page itself, or the URL names it lights up for), in the order shown under the
Menu and Settings headings. An entry the staff member's roles do not reach is not offered (the pages
refuse them too: access.area_required)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.roles import FINANCE, MANAGE_STAFF, PRODUCTS, SETTINGS, VIEW_CLIENTS


@dataclass(frozen=True)
class Entry:
    """A link (url_name) or a heading over links (entries). Lit on the pages named in pages, and on
    those whose URL name holds one of the words in within."""

    label: str
    url_name: str = ""
    area: str | None = None
    pages: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = field(default=())
    # The page holds every client's data (a bank statement, webhook bodies): not for staff limited
    # to their assigned clients, whom it refuses.
    every_client: bool = False

    def lit(self, current: str) -> bool:
        return current in self.pages or any(word in current for word in self.within)


MENU = (
    Entry(_("Dashboard"), "dashboard", pages=("dashboard",)),
    Entry(_("Clients"), entries=(
        Entry(_("Manage Clients"), "client-list", within=("client", "address")),
        Entry(_("Manage Users"), "user-list", pages=("user-list", "user-detail")),
        Entry(_("Services"), "service-list", VIEW_CLIENTS, pages=("service-list",)),
    )),
    Entry(_("Products"), "product-list", PRODUCTS, within=("product", "price")),
    Entry(_("Finance"), area=FINANCE, entries=(
        Entry(_("Documents"), "finance-documents", pages=("finance-documents",)),
        Entry(_("Transactions"), "finance-transactions", pages=("finance-transactions",)),
        Entry(_("Bank statements"), "finance-bank-statements", within=("finance-bank-",), every_client=True),
        Entry(_("Tax exchange rates"), "finance-vat-rates", pages=("finance-vat-rates",)),
        Entry(_("Reports"), "finance-reports", within=("finance-report",)),
    )),
)

SETTINGS_MENU = (
    Entry(_("Staff"), "staff-list", MANAGE_STAFF, within=("staff", "role")),
    Entry(_("Home Companies"), "home-company-list", SETTINGS, within=("home-company", "tax-")),
    Entry(_("Groups"), "group-list", SETTINGS, within=("group",)),
    # Staff holding Products reach it from the Products page too (access.area_required(PRODUCTS, SETTINGS)).
    Entry(_("Exchange rates"), "product-exchange-rates", SETTINGS, within=("exchange-rate",)),
    Entry(_("Add Funds limits"), "add-funds-limits", SETTINGS, within=("add-funds-limit",)),
    Entry(_("Automation"), "automation", SETTINGS, within=("automation",)),
    Entry(_("E-mail templates"), "email-template-list", SETTINGS, within=("email-template",)),
    Entry(_("Activity log"), "activity-log", SETTINGS, pages=("activity-log",)),
    Entry(_("E-mail log"), "email-log", VIEW_CLIENTS, pages=("email-log",)),
    Entry(_("API tokens"), "api-token-list", within=("api-token",)),
    Entry(_("Webhooks"), "webhook-list", SETTINGS, within=("webhook",), every_client=True),
)


def menu_for(entries: tuple[Entry, ...], areas, current: str, *, limited: bool = False) -> list[dict]:
    """The entries the areas reach, each as {label, url, active, entries} for the page whose URL
    name is current; `limited`: the staff member sees its assigned clients only."""
    return [{"label": entry.label, "url": reverse(f"backoffice:{entry.url_name}") if entry.url_name else "",
             "active": entry.lit(current), "entries": menu_for(entry.entries, areas, current, limited=limited)}
            for entry in entries
            if (entry.area is None or entry.area in areas) and not (limited and entry.every_client)]
