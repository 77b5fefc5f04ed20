"""The staff panel's own template filters: `{% load backoffice %}`. Words of pages only staff see
(a client record's tabs, Settings → Automation); what a client portal would show as well, and the
words of codes (`label`), are in the `ui` library."""

from django import template
from django.utils.translation import gettext_lazy as _

from clientpanel.ui import labels

from ..menu import MENU, SETTINGS_MENU, menu_for

register = template.Library()

CLIENT_TABS = {
    "summary": _("Summary"), "profile": _("Profile"), "users": _("Users"), "services": _("Services"),
    "invoices": _("Invoices"), "transactions": _("Transactions"), "emails": _("E-mails"), "files": _("Documents"),
    "activity": _("Activity"),
}


@register.inclusion_tag("backoffice/_menu.html", takes_context=True)
def staff_menu(context, part: str) -> dict:
    """The entries of the sidebar's Menu ("menu") or Settings ("settings") part the staff member's
    areas reach, the one for the page shown lit."""
    match = getattr(context.get("request"), "resolver_match", None)
    return {"entries": menu_for(MENU if part == "menu" else SETTINGS_MENU, context.get("areas") or (),
                                getattr(match, "url_name", None) or "")}


@register.filter
def client_tab(tab: str) -> str:
    return CLIENT_TABS.get(tab, tab)


@register.filter
def job_description(name: str, docstring: str = "") -> str:
    return labels.JOB_DESCRIPTIONS.get(name, docstring)
