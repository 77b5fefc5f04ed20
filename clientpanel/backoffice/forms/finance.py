"""Money: a manual ledger transaction, and documents (adding funds, a proforma's items, a payment,
a credit note)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.ui.forms import SentOnceMixin
from clientpanel.ui.numbers import LocalizedNumberField, delocalize_number

from .common import CurrencyAmountMixin, ServiceErrorsMixin


class ManualTransactionForm(SentOnceMixin, ServiceErrorsMixin, forms.Form):
    amount = LocalizedNumberField(label=_("Amount"), max_length=32, signed=True, example="-12.50",
                                  help_text=_("Negative to charge, positive to credit; up to 4 decimal places, "
                                              "as hourly charges have."))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500)
    allow_over_limit = forms.BooleanField(label=_("Allow beyond balance + credit limit (logged)"), required=False)


class AddFundsForm(SentOnceMixin, CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = LocalizedNumberField(label=_("Net Amount"), max_length=32)


class PaymentForm(SentOnceMixin, CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("amount",)
    amount = LocalizedNumberField(label=_("Amount (gross)"), max_length=32)
    paid_at = forms.DateTimeField(label=_("Paid at"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text=_("When the money arrived, in the home company's time zone; not before "
                                              "the proforma's issue, not in the future. Empty: now."))
    method = forms.CharField(label=_("Method"), required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": _("Bank transfer")}))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)


class CreditNoteForm(SentOnceMixin, CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = LocalizedNumberField(label=_("Net amount to refund"), max_length=32)
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200,
                             help_text=_("Printed on the credit note beside the invoice it corrects; one line."))
    # Added funds the client has spent since go back only when staff say so (invoicing.credit_note_issue).
    allow_over_limit = forms.BooleanField(label=_("Allow beyond balance + credit limit (logged)"), required=False)

    def __init__(self, *args, gateway_refund: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if gateway_refund:  # the invoice was paid online through a gateway that can send money back
            self.fields["refund_through_gateway"] = forms.BooleanField(
                label=_("Send the money back to the payer through the payment gateway"), required=False,
                help_text=_("The gateway's refund id is kept with the credit note; a transaction ID above makes "
                            "sending the form twice harmless."))


# The proforma editor's grid: fields named line-<id>-<field>, <id> given by the page (rows can be
# added and removed in any order); read here, validated by the proforma service.
LINE_FIELD = re.compile(r"^line-(\d{1,4})-(description|quantity|unit_price|top_up)$")
MAX_LINES = 101  # one more than a proforma takes, so the service names the limit


def new_line(line_id: int) -> dict:
    return {"id": line_id, "description": "", "quantity": "1", "unit_price": "", "top_up": False, "errors": {}}


def proforma_lines(data) -> list[dict]:
    """The posted lines in the order of their ids, each value cut to a bounded length; a line left
    empty (no description, no price) is dropped."""
    found: dict[int, dict] = {}
    for key in data:
        match = LINE_FIELD.match(key)
        if not match:
            continue
        line = found.setdefault(int(match[1]), {**new_line(int(match[1])), "quantity": ""})
        value = str(data.get(key, ""))
        line[match[2]] = value == "on" if match[2] == "top_up" else value.strip()[:600]
    lines = [found[key] for key in sorted(found) if found[key]["description"] or found[key]["unit_price"]]
    return lines[:MAX_LINES]


def line_items(lines: list[dict]) -> list[dict]:
    """The lines as the proforma service's items (a line without a description is a top-up's or
    takes the home company's top-up name, as the API's)."""
    return [{"description": line["description"] or None, "quantity": delocalize_number(line["quantity"]) or "1",
             "unit_price": delocalize_number(line["unit_price"]), "is_topup": line["top_up"]} for line in lines]


def lines_with_errors(lines: list[dict], errors: dict[str, list[str]], nets: list | None = None) -> list[dict]:
    """Each line with the service's problems of its fields ("items.2.quantity" → the third line)
    and, when the preview priced them, its net."""
    for index, line in enumerate(lines):
        line["net"] = nets[index] if nets else None
        prefix = f"items.{index}"
        line["errors"] = {key.removeprefix(prefix).lstrip(".") or "line": messages
                          for key, messages in errors.items() if key == prefix or key.startswith(prefix + ".")}
    return lines
