"""What the staff panel's forms share: a service's field errors shown on the fields, the decimals
an amount takes in its currency, and the blank and "inherit" choices."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import AMOUNT_PLACES, currency_minor_unit


def decimals_hint(currency: str | None) -> str:
    """How many decimals an amount in this currency takes (core.money.decimals_rule, in words of
    the reader's language)."""
    if not currency:
        return gettext("At most %(places)d decimal places.") % {"places": AMOUNT_PLACES}
    places = currency_minor_unit(currency)
    if places == 0:
        return gettext("%(currency)s amounts have no decimal places.") % {"currency": currency}
    return ngettext("%(currency)s amounts have at most %(places)d decimal place.",
                    "%(currency)s amounts have at most %(places)d decimal places.", places) % {
        "currency": currency, "places": places}


class CurrencyAmountMixin:
    """Forms whose amounts take the currency's minor unit say so under each amount field."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.amount_fields:
            hint = decimals_hint(currency)
            current = self.fields[name].help_text
            self.fields[name].help_text = f"{current} {hint}".strip() if current else hint


class ServiceErrorsMixin:
    """Shows a service's field errors on the matching form fields (or above the form)."""

    def apply_errors(self, error: ValidationFailed, mapping: dict[str, str] | None = None) -> None:
        mapping = mapping or {}
        for field, messages in error.fields.items():
            name = mapping.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)


def choices_with_blank(choices):
    return [("", _("Select an option")), *choices]


INHERIT_CHOICES = [("", _("Inherit")), ("true", _("Yes")), ("false", _("No"))]
