"""The staff panel's own template filters: `{% load backoffice %}`. Words of pages only staff see
(a client record's tabs, Settings → Automation); what a client portal would show as well, and the
words of codes (`label`), are in the `ui` library."""

from django import template
from django.utils.translation import gettext_lazy as _

from clientpanel.ui import labels

register = template.Library()

CLIENT_TABS = {
    "summary": _("Summary"), "profile": _("Profile"), "users": _("Users"), "services": _("Services"),
    "invoices": _("Invoices"), "transactions": _("Transactions"), "emails": _("E-mails"), "files": _("Documents"),
    "activity": _("Activity"),
}


@register.filter
def client_tab(tab: str) -> str:
    return CLIENT_TABS.get(tab, tab)


@register.filter
def job_description(name: str, docstring: str = "") -> str:
    return labels.JOB_DESCRIPTIONS.get(name, docstring)
