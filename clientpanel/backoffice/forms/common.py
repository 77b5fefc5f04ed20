"""What the staff panel's forms share: a service's field errors shown on the fields, the decimals
an amount takes in its currency, a prefilled number written as the page writes numbers, a postal
address's fields (ui.forms, shared with the portal), and the blank and "inherit" choices. A form
that creates something or moves money is sent once: ui.forms.SentOnceMixin (shared with the portal),
claimed by views.common.sent_once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.core.money import decimals_rule
from clientpanel.ui.numbers import LocalizedNumberField, typed_number


class CurrencyAmountMixin:
    """Forms whose amounts take the currency's minor unit say so under each amount field, in the
    words the services refuse too many decimals with (core.money.decimals_rule)."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.amount_fields:
            hint = decimals_rule(currency)
            current = self.fields[name].help_text
            self.fields[name].help_text = f"{current} {hint}".strip() if current else hint


class LocalizedNumbersMixin(forms.Form):
    """A number given as the initial value of a LocalizedNumberField is shown as the page writes
    numbers ("123,62" on a Polish page, not "123.62"): every form of the panel that prefills an
    amount, a quantity or a rate, whichever view gives it. What was typed is shown as typed.
    (A Form itself, as SentOnceMixin is, so that it comes before BaseForm in every form's order.)"""

    def get_initial_for_field(self, field, field_name):
        value = super().get_initial_for_field(field, field_name)
        return typed_number(value) if isinstance(field, LocalizedNumberField) else value


class ServiceErrorsMixin(LocalizedNumbersMixin):
    """Shows a service's refusal on the form: a ValidationFailed's field errors on the matching
    fields (or above the form), any other refusal's message above the form."""

    def apply_errors(self, error: DomainError, mapping: dict[str, str] | None = None, *,
                     besides_own: bool = False) -> None:
        """besides_own: the refusal of a check run on what the form's own checks let through (see
        views.common.form_page): only problems of fields the form found nothing wrong with."""
        if not isinstance(error, ValidationFailed):
            self.add_error(None, error.message)
            return
        mapping = mapping or {}
        for field, messages in error.fields.items():
            name = mapping.get(field, field)
            if besides_own and name in self.errors:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)


def choices_with_blank(choices):
    return [("", _("Select an option")), *choices]


INHERIT_CHOICES = [("", _("Inherit")), ("true", _("Yes")), ("false", _("No"))]
