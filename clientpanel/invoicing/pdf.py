"""PDF of a document (SPEC §7) with reportlab: company and client blocks, items, tax per rate,
totals, the reverse-charge note, in the document's language (any of settings.LANGUAGES: its words
come from the gettext catalog, locale/<language>/LC_MESSAGES/django.po, with that language active
while the PDF is made)."""

from __future__ import annotations

import io
import zoneinfo
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clientpanel.tax.selectors import REVERSE_CHARGE_NOTE

from .models import Document

# A document's title on its PDF, by type.
TITLES = {"PROFORMA": pgettext_lazy("PDF title", "Proforma invoice"), "INVOICE": pgettext_lazy("PDF title", "Invoice"),
          "CREDIT_NOTE": pgettext_lazy("PDF title", "Credit note")}
# Babel's locale for amounts, by document language.
LOCALES = {"en": "en_US", "pl": "pl_PL"}
# Fonts with Polish letters: DejaVu from the system (Debian: fonts-dejavu-core) unless PDF_FONT
# names another TrueType file; reportlab's own Vera lacks ł, ś, ż.
FONT_CANDIDATES = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"]


@cache
def _fonts() -> tuple[str, str]:
    configured = getattr(settings, "PDF_FONT", "") or ""
    for path in [configured, *FONT_CANDIDATES]:
        if path and Path(path).is_file():
            bold = Path(path).with_name(Path(path).stem + "-Bold.ttf")
            pdfmetrics.registerFont(TTFont("DocSans", path))
            pdfmetrics.registerFont(TTFont("DocSans-Bold", str(bold) if bold.is_file() else path))
            return "DocSans", "DocSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _money(amount: Decimal | str, currency: str, locale: str) -> str:
    return f"{format_decimal(Decimal(amount), format='#,##0.00', locale=locale)} {currency}"


def document_language(document: Document) -> str:
    """The language chosen when the document was issued (the client's when PDF_IN_CLIENT_LANGUAGE
    is on, else the home company's), English when the panel does not speak it."""
    return document.language if document.language in dict(settings.LANGUAGES) else "en"


def document_pdf(document: Document) -> bytes:
    """The document's PDF in its own language, whatever language the request that makes it speaks."""
    language = document_language(document)
    with translation.override(language):
        return _document_pdf(document, locale=LOCALES.get(language, language))


def _document_pdf(document: Document, *, locale: str) -> bytes:
    regular, bold = _fonts()
    normal = ParagraphStyle("n", fontName=regular, fontSize=9, leading=12)
    heading = ParagraphStyle("h", fontName=bold, fontSize=16, leading=20)
    strong = ParagraphStyle("s", fontName=bold, fontSize=9, leading=12)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=document.number or "", author=document.company_snapshot.get(
                                "name", ""))

    def esc(text: str) -> str:
        return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    company, client = document.company_snapshot, document.client_snapshot
    zone = zoneinfo.ZoneInfo(company.get("time_zone") or settings.TIME_ZONE)

    def day(moment) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d}" if moment else ""

    # No status: the PDF is made once at issue and never changes (a credit note is its own document).
    # Labels first: a gettext call inside an f-string is invisible to makemessages.
    number, issued, due = _("Number"), _("Issue date"), _("Due date")
    paid = pgettext("date a document was paid", "Paid")
    corrects, seller_label, buyer_label, tax_id = _("Corrects invoice"), _("Seller"), _("Buyer"), _("Tax ID")
    meta = [f"{number}: {esc(document.number or '')}",
            f"{issued}: {day(document.issue_date)}" if document.issue_date else "",
            f"{due}: {day(document.due_date)}" if document.due_date and document.type == "PROFORMA" else "",
            f"{paid}: {day(document.paid_date)}" if document.paid_date and document.type == "INVOICE" else ""]
    if document.related_id and document.type == "CREDIT_NOTE":
        meta.append(f"{corrects}: {esc(document.related.number or '')}")
    seller = [f"<b>{seller_label}</b>", esc(company.get("name", "")), esc(company.get("address1", "")),
              esc(" ".join(p for p in [company.get("postcode", ""), company.get("city", "")] if p)),
              esc(company.get("country", ""))]
    # The North American numbers keep their own names in every language.
    identifiers = [("eu_vat_id", pgettext("EU VAT number, short", "VAT")), ("local_tax_id", tax_id),
                   ("us_ein", "EIN"), ("ca_bn", "BN"), ("ca_gst_hst", "GST/HST"), ("ca_pst_qst", "PST/QST"),
                   ("registration_number", pgettext("registration number, short", "Reg."))]
    seller += [f"{label}: {esc(company[key])}" for key, label in identifiers if company.get(key)]
    buyer = [f"<b>{buyer_label}</b>", esc(client.get("display_name", "")),
             esc(document.billing_address.get("one_line", ""))]
    if client.get("tax_id"):
        buyer.append(f"{tax_id}: {esc(client['tax_id'])}")
    story = [Paragraph(f"{TITLES[document.type]} {esc(document.number or '')}", heading), Spacer(1, 4 * mm),
             Paragraph("<br/>".join(m for m in meta if m), normal), Spacer(1, 6 * mm),
             Table([[Paragraph("<br/>".join(s for s in seller if s), normal),
                     Paragraph("<br/>".join(b for b in buyer if b), normal)]], colWidths=[87 * mm, 87 * mm],
                   style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
             Spacer(1, 8 * mm)]
    rows = [[Paragraph(_("Item"), strong), Paragraph(_("Qty"), strong), Paragraph(_("Unit price (net)"), strong),
             Paragraph(_("Net"), strong)]]
    for item in document.items.all():
        rows.append([Paragraph(esc(item.description), normal), f"{item.quantity.normalize():f}",
                     _money(item.unit_price, document.currency, locale), _money(item.net, document.currency, locale)])
    table = Table(rows, colWidths=[90 * mm, 16 * mm, 36 * mm, 32 * mm], repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                               ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 6 * mm)]
    totals = [[_("Net"), _money(document.net, document.currency, locale)]]
    totals += [[f"{line['name']} {line['rate']}%", _money(line["amount"], document.currency, locale)]
               for line in document.tax_lines]
    totals.append([_("Total"), _money(document.total, document.currency, locale)])
    summary = Table(totals, colWidths=[40 * mm, 36 * mm], hAlign="RIGHT")
    summary.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTNAME", (0, -1), (-1, -1), bold),
                                 ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("LINEABOVE", (0, -1), (-1, -1), 0.8,
                                                                        colors.black)]))
    story.append(summary)
    if document.reverse_charge:
        # The note's words are in the catalog (the document page shows them too).
        story += [Spacer(1, 6 * mm), Paragraph(_(REVERSE_CHARGE_NOTE), strong)]
    if company.get("bank_details") and document.type == "PROFORMA":
        pay_to = _("Pay to")
        story += [Spacer(1, 6 * mm), Paragraph(f"<b>{pay_to}</b><br/>"
                                               + esc(company["bank_details"]).replace("\n", "<br/>"), normal)]
    if company.get("invoice_footer"):
        story += [Spacer(1, 8 * mm), Paragraph(esc(company["invoice_footer"]).replace("\n", "<br/>"), normal)]
    pdf.build(story)
    return buffer.getvalue()
