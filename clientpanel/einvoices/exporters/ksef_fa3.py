"""KSeF FA(3): the structured invoice of the Polish National e-Invoice System (schema
`schemat_FA(3)_v1-0E.xsd`, namespace http://crd.gov.pl/wzor/2025/06/25/13775/), written with lxml.

One VAT rate per document: the product computes tax per rate on the document's whole net (see
`invoicing.calculations.document_totals`), so every line carries the document's rate and the
summary has a single P_13_x / P_14_x pair. Several taxes on the same amounts (GST + PST) have no
place in FA(3) and are refused.

Decisions an accountant would make, where the schema leaves a choice:

- Reverse charge (the buyer accounts for the VAT, P_18 = 1, no VAT amount): a buyer in another EU
  state receives services taxed where it is established (Art. 28b, Art. 100(1)(4)) — rate "np II",
  net in P_13_9; a buyer in Poland — domestic reverse charge "oo", P_13_10; a buyer outside the EU —
  "np I" (supply outside Poland), P_13_8. An EU buyer identified by its VAT number also makes the
  seller show its "PL" prefix (PrefiksPodatnika, Art. 97(10)).
- 0 % without reverse charge is the domestic zero rate "0 KR" (P_13_6_1). A document without any
  VAT is an exempt supply ("zw", P_13_7), which needs the legal basis of the exemption: it is read
  from `extra["vat_exemption_basis"]` (e.g. "art. 113 ust. 1 ustawy o VAT") and refused without it.
- A credit note is a KOR written with the difference method: its amounts (already negative) are
  the differences P_13_x, P_14_x and P_15, and its lines the negative differences per item.
  `TypKorekty` (optional) is left out: its choice depends on why the note was issued, which the
  document does not say.
- Foreign currency: the VAT in złoty goes to P_14_xW (VAT × the NBP rate, half up to the grosz);
  the rate itself to each line's KursWaluty, the field FA(3) has for it outside advance invoices
  (KursWalutyZ belongs to those), and the rate's table and day to DodatkowyOpis, since FA(3) has
  no field for them. On a credit note the builder gives the corrected invoice's rate, the one the
  VAT being corrected was converted with.
- The unit (P_8A) is "szt." unless `extra["unit"]` names another; the words written into the
  file (the unit, the exchange-rate note) are Polish whatever the staff's language, since the file
  is read by the Polish tax administration.
- Split payment (P_18A) is "1" only when `extra["split_payment"] == "1"`: whether a supply is in
  annex 15 is the seller's call, not something the document knows.

The file is written in parts: ksef_fa3_parties.py (the header, the seller and the buyer, the footer),
ksef_fa3_invoice.py (the invoice: its VAT treatment and tax summary, lines, payment), ksef_fa3_xml.py
(the namespace and value types they share); ksef_fa3_schema.py checks it against the official schema.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy
from lxml import etree

from ..reasons import said
from . import CannotExport, EInvoiceInput, Exporter, register
from .ksef_fa3_invoice import vat_treatment, write_invoice
from .ksef_fa3_parties import (
    checked_seller_nip,
    identify_buyer,
    write_buyer,
    write_footer,
    write_header,
    write_seller,
)
from .ksef_fa3_schema import schema_problems
from .ksef_fa3_xml import NAMESPACE, child, qualified

TAX_CURRENCY = "PLN"


@register
class KsefFa3Exporter(Exporter):
    key = "ksef_fa3"
    title = gettext_lazy("KSeF FA(3) (Poland)")

    def export(self, data: EInvoiceInput, *, pdf: bytes | None = None) -> bytes:
        # What FA(3) cannot express is refused before anything is written.
        seller_nip = checked_seller_nip(data.seller)
        treatment, tax_amount = vat_treatment(data)
        self._check_sums(data, tax_amount)
        rate = self._exchange_rate(data)
        buyer_identity = identify_buyer(data.buyer)

        root = etree.Element(qualified("Faktura"), nsmap={None: NAMESPACE})
        write_header(root, data)
        write_seller(root, data, nip=seller_nip, buyer_identity=buyer_identity)
        write_buyer(root, data, buyer_identity=buyer_identity)
        write_invoice(child(root, "Fa"), data, treatment, tax_amount, rate)
        write_footer(root, data)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def validate(self, content: bytes) -> list[str]:
        return schema_problems(content)

    def _check_sums(self, data: EInvoiceInput, tax_amount: Decimal) -> None:
        """The file's sums must hold (lines → net, net + VAT → total): KSeF's readers check them."""
        lines_net = sum((line.net for line in data.lines), Decimal(0))
        if not data.lines or lines_net != data.net or data.tax != tax_amount or data.net + data.tax != data.total:
            raise CannotExport(said("fa3_totals"))

    def _exchange_rate(self, data: EInvoiceInput) -> Decimal | None:
        if data.currency == TAX_CURRENCY:
            return None
        rate = data.exchange_rate
        if rate is None and data.tax == 0:
            return None  # no VAT to show in złoty (reverse charge, not subject): no rate needed
        if rate is None:
            # Imported here: the exporter stays free of the models module until a rate is missing
            # (and rates imports this package: an import cycle otherwise).
            from ..rates import previous_working_day

            raise CannotExport(said("fa3_rate_missing", currency=data.currency,
                                    day=previous_working_day(data.issue_date).isoformat()))
        exponent = rate.rate.normalize().as_tuple().exponent
        if rate.currency != TAX_CURRENCY or rate.rate <= 0 or (isinstance(exponent, int) and exponent < -6):
            raise CannotExport(said("fa3_rate_not_nbp", rate=rate.rate, currency=rate.currency))
        return rate.rate
