from decimal import Decimal

from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language

from clientpanel.clients.validation import country_name as _country_name
from clientpanel.clients.validation import format_phone, language_name, region_name

register = template.Library()

STATUS_BADGES = {
    "NEW": "text-bg-info", "ACTIVE": "text-bg-success", "INACTIVE": "text-bg-secondary",
    "CLOSED": "text-bg-dark", "FRAUD": "text-bg-danger",
    "UNCHECKED": "text-bg-secondary", "VALID": "text-bg-success", "INVALID": "text-bg-danger",
    "ERROR": "text-bg-warning",
}


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """-135,925.9536 USD: at least 2 decimals, up to the ledger's 4, in the viewer's locale."""
    if amount is None:
        return ""
    locale = (get_language() or "en").replace("-", "_")
    text = format_decimal(amount, format="#,##0.00##", locale=locale)
    return f"{text} {currency}".strip()


@register.filter
def badge_class(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.filter
def phone(value: str) -> str:
    return format_phone(value)


@register.filter
def language(code: str) -> str:
    return language_name(code)


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
    return f"{value.normalize():f}" if isinstance(value, Decimal) else value


SERVICE_BADGES = {"ACTIVE": "text-bg-success", "PENDING": "text-bg-info", "SUSPENDED": "text-bg-warning",
                  "TERMINATED": "text-bg-dark", "CANCELLED": "text-bg-secondary", "MANUAL": "text-bg-light border",
                  "COMPLETED": "text-bg-success", "ERROR": "text-bg-danger", "IN_PROGRESS": "text-bg-info"}


@register.filter
def service_badge(status: str) -> str:
    return SERVICE_BADGES.get(status, "text-bg-light")
