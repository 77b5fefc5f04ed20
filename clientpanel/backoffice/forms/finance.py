"""Money: a manual ledger transaction, and documents (adding funds, a proforma's items, a payment,
a credit note)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .common import CurrencyAmountMixin, ServiceErrorsMixin


class ManualTransactionForm(ServiceErrorsMixin, forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=32,
                             help_text=_("Negative to charge, positive to credit; up to 4 decimal places, as hourly "
                                         "charges have."))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500)
    allow_over_limit = forms.BooleanField(label=_("Allow beyond balance + credit limit (logged)"), required=False)


class AddFundsForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label=_("Net Amount"), max_length=32)


class PaymentForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("amount",)
    amount = forms.CharField(label=_("Amount (gross)"), max_length=32)
    paid_at = forms.DateTimeField(label=_("Paid at"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text=_("When the money arrived, in the home company's time zone; not before "
                                              "the proforma's issue, not in the future. Empty: now."))
    method = forms.CharField(label=_("Method"), required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": _("Bank transfer")}))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)


class CreditNoteForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label=_("Net amount to refund"), max_length=32)
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)


class ProformaItemsForm(ServiceErrorsMixin, forms.Form):
    items = forms.CharField(
        label=_("Items"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line: description ; quantity ; unit price (net). Start a line with + to make it "
                    "a top-up that adds funds instead of being charged."))

    def service_items(self) -> list[dict]:
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("“%(line)s” needs three parts: description ; quantity ; price.") % {"line": line.strip()})
            description, quantity, price = parts
            topup = description.startswith("+")
            items.append({"description": description.lstrip("+ ").strip() or None, "quantity": quantity,
                          "unit_price": price, "is_topup": topup})
        return items
