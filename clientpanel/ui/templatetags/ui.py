"""The template library every page-rendering interface shares: `{% load ui %}`. Money in the
reader's locale, enum codes as their translated labels and status badges, countries, languages and
phone numbers, and form fields with Bootstrap's classes (see ui/_field.html)."""

import datetime as dt
from decimal import Decimal
from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from clientpanel.audit.labels import audit_action_label
from clientpanel.automation.models import BackgroundTaskStatus
from clientpanel.catalog.models import Period
from clientpanel.catalog.modules import ModuleError, get_module
from clientpanel.client_services.models import ChargeKind, ProvisionStatus, ServiceStatus
from clientpanel.clients.models import AddressType, ClientStatus, ViesStatus
from clientpanel.clients.permissions import CLIENT_PERMISSIONS
from clientpanel.clients.validation import format_phone, region_name
from clientpanel.core.money import display_percent, display_quantity, reader_amount
from clientpanel.files.detection import KIND_BY_CONTENT_TYPE
from clientpanel.files.names import size_text
from clientpanel.invoicing.models import DocumentStatus, DocumentType
from clientpanel.ledger.models import EntryType
from clientpanel.tax.models import ResetPeriod
from clientpanel.ui import charts, labels
from clientpanel.ui.audit_fields import audit_field_label
from clientpanel.ui.audit_values import audit_changes as audit_change_rows

register = template.Library()

# The enums a page shows by code, by the name templates give them: `{{ code|label:"document_status" }}`.
ENUMS = {
    "client_status": ClientStatus, "vies_status": ViesStatus, "address_type": AddressType,
    "document_type": DocumentType, "document_status": DocumentStatus, "entry_type": EntryType,
    "service_status": ServiceStatus, "provision_status": ProvisionStatus, "charge_kind": ChargeKind,
    "period": Period, "reset_period": ResetPeriod, "background_task_status": BackgroundTaskStatus,
}

STATUS_BADGES = {
    "NEW": "text-bg-info", "ACTIVE": "text-bg-success", "INACTIVE": "text-bg-secondary",
    "CLOSED": "text-bg-dark", "FRAUD": "text-bg-danger",
    "UNCHECKED": "text-bg-secondary", "VALID": "text-bg-success", "INVALID": "text-bg-danger",
    "ERROR": "text-bg-warning",
}


@register.simple_tag
def select_options(choices, selected) -> SafeString:
    """A <select>'s <option>s for (value, label) pairs, the one equal to `selected` chosen: made in
    Python with the standard library's escaping, as a template loop (or format_html per option)
    over 250 countries cost the directory page milliseconds."""
    chosen = "" if selected is None else str(selected)
    return mark_safe("".join(  # noqa: S308 — every value and label is escaped here
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
        f"{escape(str(label))}</option>" for value, label in choices))


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """-135,925.9536 USD: at least 2 decimals, up to the ledger's 4, in the viewer's locale."""
    if amount is None:
        return ""
    return reader_amount(amount, currency)


# Codes without an enum, with their words in ui/labels.py: `{{ source|label:"setting_source" }}`.
WORDS = {
    "setting_name": labels.SETTING_NAMES, "setting_source": labels.SETTING_SOURCES,
    "suspension_reason": labels.SUSPENSION_REASONS, "provisioning_outcome": labels.PROVISIONING_OUTCOMES,
    "actor_kind": labels.ACTOR_KINDS, "job_title": labels.JOB_TITLES, "job_trigger": labels.JOB_TRIGGERS,
    "job_count": labels.JOB_COUNTS,
    "background_task_kind": labels.BACKGROUND_TASK_KINDS, "client_permission": CLIENT_PERMISSIONS,
}


@register.filter
def label(code: str, kind: str) -> str:
    """A code as its label in the reader's language: an enum's ("PARTIALLY_REFUNDED": "Partially
    refunded") or one of ui/labels.py's words ("api_token": "API token"). A code the enum or the
    words do not know (or none) is shown as it is."""
    if kind == "vies_error":
        return labels.vies_error_label(code) if code else ""
    if kind in WORDS:
        return WORDS[kind].get(code, code)
    return labels.enum_label(ENUMS[kind], code)


@register.filter
def audit_action(code: str) -> str:
    """An audit event's action in words ("client_user.link": "User linked"); unknown: the code."""
    return audit_action_label(code or "")


@register.filter
def audit_field(key: str) -> str:
    """A field an audit event changed, in words ("credit_limit": "Credit Limit", "billing_address.city":
    "Billing address · City"); unknown: the key."""
    return audit_field_label(key or "")


@register.filter
def audit_changes(event) -> list:
    """An audit event's changes as (key, label, before, after) in words: "Credit Limit: 0,00 zł →
    2 500,00 zł", "Active: Yes → No", "none" for nothing (ui/audit_values.py)."""
    return audit_change_rows(event)


@register.simple_tag
def setting_value(key: str, value) -> str:
    """An inherited setting's effective value as words: Yes/No, a language's name, "7 days"."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "language":
        return labels.language_name(value)
    if key == "payment_terms_days" and isinstance(value, int):
        return ngettext("%(days)s day", "%(days)s days", value) % {"days": value}
    return "" if value is None else str(value)


@register.filter
def badge_class(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


@register.filter
def country_name(code: str) -> str:
    return labels.country_name(code)


_ADDRESS_FIELDS = ("address1", "address2", "postcode", "city", "region", "country")


@register.filter
def postal_address(address) -> str:
    """An address on one line in the reader's language: "ul. Kawowa 5/12, 30-001 Kraków, Polska" —
    a client's Address, or one kept on a document (the seller's or the buyer's snapshot). One with
    only a country (and a region) reads as their names ("Polska"). Only a snapshot that kept no
    field at all, just its line (of before the fields were kept), shows that line, as kept (in
    English). Address.one_line stays English, for what is stored and exported."""
    if not address:
        return ""
    if isinstance(address, dict):
        get = address.get
    else:
        def get(key, default=None):
            return getattr(address, key, default)
    if not any(get(key) for key in _ADDRESS_FIELDS):
        return (get("one_line") or "") if isinstance(address, dict) else ""
    country = get("country") or ""
    place = " ".join(p for p in [get("postcode"), get("city")] if p)
    parts = [get("address1"), get("address2"), place,
             region_name(country, get("region") or "") if country else get("region"),
             labels.country_name(country) if country else ""]
    return ", ".join(p for p in parts if p)


# The names the services give an address nobody named (clients/services: "Default" for the billing
# address, the type's for another), stored in English like every stored text; read in the reader's
# words. A name someone typed is shown as typed.
# The words are those the portal names an unnamed address with (labels.UNNAMED_ADDRESS).
_AUTOMATIC_ADDRESS_NAMES = {
    "Default": pgettext_lazy("an address nobody named", "Default"),
    "Shipping": labels.UNNAMED_ADDRESS[AddressType.SHIPPING],
    "Service": labels.UNNAMED_ADDRESS[AddressType.SERVICE],
}


@register.filter
def address_name(name: str) -> str:
    word = _AUTOMATIC_ADDRESS_NAMES.get(name or "")
    return str(word) if word else name


@register.filter
def module_title(name: str) -> str:
    """A provisioning module by its title in the reader's language ("Ręczny"), not its key
    ("manual"); a module no longer installed: its key."""
    try:
        return str(get_module(name).title or name)
    except ModuleError:
        return name


@register.filter
def phone(value: str) -> str:
    return format_phone(value)


@register.filter
def language(code: str) -> str:
    return labels.language_name(code)


@register.simple_tag
def region(country: str, code: str) -> str:
    return region_name(country, code)


@register.filter
def bs(field):
    """Render a form field's widget with Bootstrap classes, marked invalid when it has errors."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type == "checkbox":
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__ == "Select":
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.simple_tag(takes_context=True)
def shown_fields(context, form) -> list:
    """The form's fields named in the template's names (separated by spaces), in that order; all of
    visible ones when it names none (a hidden field is rendered apart, where the template puts it).
    For a form laid out in parts (ui/_fields.html with names=…)."""
    names = context.get("names") or ""
    return [form[name] for name in names.split()] if names else form.visible_fields()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.filter
def split_commas(value: str) -> list[str]:
    return value.split(",")


DOCUMENT_BADGES = {"UNPAID": "text-bg-warning", "PAID": "text-bg-success", "INVOICED": "text-bg-primary",
                   "CANCELLED": "text-bg-secondary", "DRAFT": "text-bg-light", "REFUNDED": "text-bg-info",
                   "PARTIALLY_REFUNDED": "text-bg-info"}


@register.filter
def doc_badge(status: str) -> str:
    return DOCUMENT_BADGES.get(status, "text-bg-light")


@register.filter
def normalize(value: Decimal) -> str:
    """A number without trailing zeros in the machine's form ("1.5"): for attributes a script or
    an input reads. For people: quantity."""
    return f"{value.normalize():f}" if isinstance(value, Decimal) else value


@register.filter
def quantity(value: Decimal | str | None) -> str:
    """A quantity for people, without trailing zeros, in the reader's locale ("1.5"; "1,5" in
    Polish; "1 000" with the language's grouping)."""
    if value is None or value == "":
        return ""
    return display_quantity(value, get_language() or "en")


@register.filter
def exchange_rate(value: Decimal | str | None) -> str:
    """A rate with up to six decimals, without trailing zeros, in the reader's locale."""
    if value is None or value == "":
        return ""
    return display_quantity(value, get_language() or "en", places=6)


@register.filter
def percent(rate: Decimal | str | None) -> str:
    """A tax rate for people in the reader's locale: "23%", "9.975%" ("9,975%" in Polish)."""
    if rate is None or rate == "":
        return ""
    return display_percent(rate, get_language() or "en")


SERVICE_BADGES = {"ACTIVE": "text-bg-success", "PENDING": "text-bg-info", "SUSPENDED": "text-bg-warning",
                  "TERMINATED": "text-bg-dark", "CANCELLED": "text-bg-secondary", "MANUAL": "text-bg-light border",
                  "COMPLETED": "text-bg-success", "ERROR": "text-bg-danger", "IN_PROGRESS": "text-bg-info"}


@register.filter
def service_badge(status: str) -> str:
    return SERVICE_BADGES.get(status, "text-bg-light")


@register.filter
def file_kind(content_type: str) -> str:
    """A client file's detected type in words ("PDF document"), for the staff panel and the portal."""
    kind = KIND_BY_CONTENT_TYPE.get(content_type)
    return str(kind.label) if kind else content_type


@register.filter
def file_size(size: int) -> str:
    """A file's size in the reader's language: "812 bytes", "1.5 MB"."""
    return size_text(size) if isinstance(size, int) else ""


@register.simple_tag
def bar_chart(bars, title: str, currency: str = ""):
    """`{% bar_chart bars title currency %}`: ui/charts.py's SVG chart of (label, value) pairs — a
    label that is a date is shown as its month's short name in the reader's language — the values
    shown as money of `currency` when one is given."""
    bars = [(date_format(label, "M") if isinstance(label, dt.date) else str(label), value) for label, value in bars]
    return charts.bar_chart(bars, title=title, shown=(lambda value: money(value, currency)) if currency else str)
