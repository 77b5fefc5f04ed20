"""What the staff panel's forms share: a service's field errors shown on the fields, the decimals
an amount takes in its currency, a postal address's fields (ui.forms, shared with the portal), and the
blank and "inherit" choices."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.core.money import decimals_rule


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


class ServiceErrorsMixin:
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


class SentOnceMixin(forms.Form):
    """A money form sent once per showing: a hidden one-time key, drawn when the form is shown,
    that views.common.sent_once claims — a double click, or a request repeated by the browser,
    finds it taken and records nothing twice."""

    # Not required: a post without it (a script's) runs unguarded, as before; the page always sends it.
    submission = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput, required=False,
                                  error_messages={"invalid": _("Reload the form and send it again.")})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = uuid.uuid4().hex

    @property
    def service_data(self) -> dict:
        """The cleaned data a service takes: all but the one-time key."""
        return {name: value for name, value in self.cleaned_data.items() if name != "submission"}
