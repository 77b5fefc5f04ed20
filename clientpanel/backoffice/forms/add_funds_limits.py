"""A currency's own Add Funds limits for the portal (Settings → Add Funds limits)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.ui.numbers import LocalizedNumberField

from .common import ServiceErrorsMixin


class AddFundsLimitForm(ServiceErrorsMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    minimum = LocalizedNumberField(label=_("Minimum at once"), max_length=30)
    maximum = LocalizedNumberField(label=_("Maximum at once"), max_length=30)
    maximum_balance = LocalizedNumberField(label=_("Maximum balance"), max_length=30, required=False,
                                           help_text=_("Empty: no limit."))

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, code) for code in currencies]
