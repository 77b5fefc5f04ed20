"""The seller's registrations as a document prints them: every number entered on the home company
at issue, each with its label. The North American labels keep their own names in every language.

Canada's provincial number (one field, `ca_pst_qst`) is named after what it is, which the seller's
own province does not tell: an Ontario seller registered for Quebec's QST charges it to a Quebec
buyer, and issue 14 asks for the "GST/HST and QST numbers on Canadian invoices". So: a number in
Revenu Québec's shape (ten digits, TQ, four digits) is the QST number; otherwise the provincial tax
the document charges names it (QST or TVQ: "QST"; PST or RST: that name); a document that charges
none (an HST province, Alberta, a buyer abroad) falls back on the seller's province."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

QST_NUMBER = re.compile(r"\d{10}\s*TQ\s*\d{4}", re.IGNORECASE)
QUEBEC = {"QC", "QUEBEC", "QUÉBEC"}
# The provincial sales taxes, by the name a tax rule gives them, and the label of their number.
PROVINCIAL_LABELS = {"QST": "QST", "TVQ": "QST", "PST": "PST", "RST": "RST"}


def _charged(tax_lines: Iterable[Mapping]) -> set[str]:
    names = set()
    for line in tax_lines:
        try:
            if Decimal(str(line.get("rate", "0"))) > 0:
                names.add(str(line.get("name") or "").strip().upper())
        except InvalidOperation:
            continue
    return names


def provincial_label(company: Mapping, tax_lines: Iterable[Mapping]) -> str:
    """The label of the seller's PST/QST number on a document charging these tax lines."""
    number = str(company.get("ca_pst_qst") or "")
    if QST_NUMBER.fullmatch(number.strip()):
        return "QST"
    labels = {PROVINCIAL_LABELS[name] for name in _charged(tax_lines) if name in PROVINCIAL_LABELS}
    if len(labels) == 1:
        return labels.pop()
    region = (company.get("region") or "").upper().removeprefix("CA-")
    return "QST" if region in QUEBEC else "PST"


def registration_lines(company: Mapping, tax_lines: Iterable[Mapping]) -> list[tuple[str, str]]:
    """(label, number) for every registration the company snapshot holds, in the printed order."""
    labels = [("eu_vat_id", pgettext("EU VAT number, short", "VAT")), ("local_tax_id", _("Tax ID")),
              ("registration_number", pgettext("registration number, short", "Reg.")),
              ("us_ein", "EIN"), ("us_state_id", "State ID"), ("ca_bn", "BN"), ("ca_gst_hst", "GST/HST")]
    if company.get("ca_pst_qst"):
        labels.append(("ca_pst_qst", provincial_label(company, tax_lines)))
    return [(label, str(company[key])) for key, label in labels if company.get(key)]
