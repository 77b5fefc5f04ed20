"""What a format asks of the seller before any document of it can be written, as one rule read in
three places: the e-invoice settings refuse a format its company cannot meet (einvoice_profile_save)
and warn when the company's data or tax rules changed since (EInvoiceProfile.requirement_unmet, on
the settings card); making refuses a document whose own snapshot cannot meet it, with that reason
(making.py); and rules.einvoice_makeable says it on the document's page before any button.

- EN 16931 (UBL, CII, Factur-X) identifies the seller by its VAT number (BT-31) or its tax
  registration (BT-32; BT-30 when it shows no VAT number, BR-CO-26, BR-S-02): the EU VAT ID or the
  local tax ID — for a US company its EIN, for a Canadian one its GST/HST number (or its BN), the
  numbers building.seller_party writes there.
- KSeF FA(3): a Polish seller with a valid NIP and an address (exporters/ksef_fa3_parties.py).
- Every format writes one VAT rate per line: a document charging stacked taxes (Canada's GST + QST
  or + PST) cannot be written, so a company whose tax rules stack taxes cannot choose a format.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from clientpanel.invoicing.models import Document
from clientpanel.tax.models import HomeCompany

from .building import SELLER_FIELDS, seller_party
from .exporters import CannotExport, Party, get_exporter
from .exporters.ksef_fa3_parties import checked_seller_nip
from .exporters.ksef_fa3_xml import number_text
from .reasons import Reason, reason_of, said

EN16931 = frozenset({"ubl", "cii", "facturx"})
KSEF = "ksef_fa3"
# The fields a company fills for EN 16931 to identify it, by its country (reason_wording.py).
_IDENTIFIER_CODES = {"US": "en_company_identifier_us", "CA": "en_company_identifier_ca"}


def _seller_unmet(format_key: str, seller: Party, *, on_document: bool) -> Reason | None:
    if format_key == KSEF:
        try:
            checked_seller_nip(seller)
        except CannotExport as refused:
            return reason_of(refused)
    elif format_key in EN16931 and not (seller.vat_id.strip() or seller.tax_id.strip()):
        if on_document:
            return said("en_document_identifier")
        return said(_IDENTIFIER_CODES.get(seller.country.upper(), "en_company_identifier"))
    return None


def _stacked_rules(company: HomeCompany) -> list[str]:
    """The company's tax rules charging more than one tax, for people ("CA/QC: GST 5% + QST 9.975%")."""
    stacked = []
    for rule in company.tax_rules.order_by("country", "region", "pk"):
        if len(rule.taxes()) > 1:
            where = "/".join(part for part in (rule.country or "*", rule.region) if part)
            stacked.append(f"{where}: {rule.taxes_label()}")
    return stacked


def company_unmet(format_key: str, company: HomeCompany) -> Reason | None:
    """Why the company, as it is now, cannot have its documents written in this format (None: it
    can). Read at save and on the settings card."""
    if not format_key:
        return None
    values: Mapping[str, object] = {name: getattr(company, name) for name in SELLER_FIELDS}
    reason = _seller_unmet(format_key, seller_party(values), on_document=False)
    if reason is not None:
        return reason
    stacked = _stacked_rules(company)
    if stacked:
        return said("company_stacked_taxes", format=str(get_exporter(format_key).title), rules="; ".join(stacked))
    return None


def document_unmet(format_key: str, document: Document) -> Reason | None:
    """Why this issued document can never be written in this format (None: nothing here stops it —
    the exporter may still refuse, e.g. a missing exchange rate, which can be put right). An issued
    document never changes, so this stays true of it."""
    reason = _seller_unmet(format_key, seller_party(document.company_snapshot or {}), on_document=True)
    if reason is not None:
        return reason
    taxes = document.tax_lines or []
    if len(taxes) > 1:  # worded as the exporters word it, so the page and a failed file say the same
        if format_key == KSEF:
            return said("fa3_stacked_taxes", taxes=", ".join(
                f"{tax.get('name') or 'VAT'} {number_text(Decimal(str(tax.get('rate') or 0)))}%" for tax in taxes))
        if format_key in EN16931:
            return said("en_stacked_taxes", names=", ".join(str(tax.get("name") or "VAT") for tax in taxes))
    return None
