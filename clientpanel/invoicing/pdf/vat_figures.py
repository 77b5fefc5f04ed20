"""What a document's PDF prints where its VAT needs more than a percentage: the rate column and
summary of a sale charging no VAT (a reverse charge is not a 0% zero-rated supply), and the VAT in
the seller's tax currency under the summary (art. 106e ust. 11 of the Polish VAT act)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, TableStyle

from clientpanel.core.money import display_amount
from clientpanel.tax.selectors import EU_COUNTRIES

from ..models import Document
from ..vat_notes import exemption_noted
from .columns import fitted
from .tax_currency import rate_sentence, vat_in_tax_currency

if TYPE_CHECKING:
    from .layout import Layout


def no_vat_rate_label(document: Document) -> str:
    """The rate column's words for a document that charges no VAT, in the active language, as
    invoices in that language print it: a reverse charge ("np." in Polish, FA(3)'s "np II"; "RC"),
    an exempt sale ("zw."; "exempt") and, for a seller in the EU, a sale to a buyer outside the EU,
    which is outside the scope of its VAT ("np."; FA(3)'s "np I"). "" for the others (a seller
    outside the EU, which charges no VAT to be exempt from: no rate column)."""
    if document.reverse_charge:
        return pgettext("VAT rate column of a reverse-charge sale", "RC")
    if document.tax_lines:
        return ""
    if exemption_noted(document):
        return pgettext("VAT rate column of an exempt sale", "exempt")
    buyer = ((document.billing_address or {}).get("country") or "").upper()
    if (document.company_snapshot or {}).get("country") in EU_COUNTRIES and buyer and buyer not in EU_COUNTRIES:
        return pgettext("VAT rate column of a sale outside the scope of VAT", "out of scope")
    return ""


def tax_currency_block(layout: Layout) -> list:
    """Under the summary of a foreign-currency invoice or credit note of a seller whose VAT is
    declared in its own currency: the VAT of each rate (and in all) in that currency, and the rate
    it was converted at — the figures of the e-invoice (tax_currency.py). Nothing when there are
    none (a rate not known when the PDF was made: docs/decisions.md)."""
    figures = vat_in_tax_currency(layout.document)
    if figures is None:
        return []

    def money(amount):
        return display_amount(amount, figures.currency, layout.language)

    heading = _("VAT amount in %(currency)s") % {"currency": figures.currency}
    rows = [[Paragraph(heading, layout.small_bold), ""]]
    rows += [[Paragraph(f"{escape(tax.name)} {layout.percent(tax.rate)}", layout.small),
              Paragraph(money(tax.amount), layout.small_right)] for tax in figures.taxes]
    if len(figures.taxes) > 1:
        rows.append([Paragraph(_("Total"), layout.small_bold),
                     Paragraph(money(figures.total), layout.small_bold_right)])
    rate = rate_sentence(figures, currency=layout.currency, locale=layout.locale)
    table = layout.table(rows, colWidths=[60 * mm, fitted([money(figures.total)], font=layout.bold, size=8,
                                                           minimum=30 * mm)], hAlign="RIGHT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("SPAN", (0, 0), (-1, 0))]))
    return [Spacer(1, 3 * mm), table, Paragraph(escape(rate), layout.small_right)]
