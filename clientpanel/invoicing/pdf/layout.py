"""The page of a document's PDF (SPEC §7): logo and title, the parties with every registration, the
items, the summary per rate, what to pay and how, the footer — drawn with reportlab in the language
active while it is made."""

from __future__ import annotations

import io
from decimal import Decimal

from babel import Locale
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clientpanel.core.money import display_amount, display_percent
from clientpanel.tax.selectors import EU_COUNTRIES

from ..models import Document
from ..vat_notes import vat_note
from .columns import PAGE_WIDTH, fitted, with_description
from .line_amounts import line_grosses
from .registrations import registration_lines
from .resources import LOGO_WIDTH, fonts, logo_image
from .vat_figures import no_vat_rate_label, tax_currency_block

# A document's title on its PDF, by type.
TITLES = {"PROFORMA": pgettext_lazy("PDF title", "Proforma invoice"), "INVOICE": pgettext_lazy("PDF title", "Invoice"),
          "CREDIT_NOTE": pgettext_lazy("PDF title", "Credit note")}
# Countries whose postal addresses carry the state or province.
POSTAL_REGIONS = {"US", "CA", "AU"}

def _esc(text: object) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(text: str) -> str:
    return _esc(text).replace("\r\n", "\n").replace("\n", "<br/>")


class Layout:
    """One document's page: logo and title, the parties with every registration, the items with
    their rate, net and (EU) gross, the summary per rate, what to pay and how, the footer. Art. 226
    of Directive 2006/112/EC names what an EU invoice holds; the other countries' documents take
    the same shape without the gross per line."""

    def __init__(self, document: Document, *, language: str, locale: str):
        self.document, self.language, self.locale = document, language, locale
        self.company, self.client = document.company_snapshot, document.client_snapshot
        self.currency = document.currency
        self.zone = document.zone  # the zone it was numbered and dated in
        self.regular, self.bold = fonts()
        self.normal = ParagraphStyle("n", fontName=self.regular, fontSize=9, leading=12)
        self.small = ParagraphStyle("s", fontName=self.regular, fontSize=8, leading=10)
        self.small_right = ParagraphStyle("sr", parent=self.small, alignment=TA_RIGHT)
        self.small_bold = ParagraphStyle("sb", parent=self.small, fontName=self.bold)
        self.small_bold_right = ParagraphStyle("sbr", parent=self.small_bold, alignment=TA_RIGHT)
        self.strong = ParagraphStyle("b", fontName=self.bold, fontSize=9, leading=12)
        self.heading = ParagraphStyle("h", fontName=self.bold, fontSize=16, leading=20)
        self.due = ParagraphStyle("d", fontName=self.bold, fontSize=11, leading=15, alignment=TA_RIGHT)
        # Rates as the document stored them at issue (every item bears the document's taxes: tax is
        # charged per rate on the document's net sum, SPEC §7).
        self.rates = [Decimal(line["rate"]) for line in document.tax_lines]
        # A sale charging no VAT prints why in the rate column ("np.", "zw."), never "0%" (zero-rated).
        self.no_vat = "" if self.rates else no_vat_rate_label(document)
        self.taxed = bool(self.rates) or bool(self.no_vat)
        self.eu = self.company.get("country") in EU_COUNTRIES

    # --- small helpers ---------------------------------------------------------------------

    def money(self, amount: Decimal | str) -> str:
        return display_amount(Decimal(amount), self.currency, self.language)

    def percent(self, rate: Decimal | str) -> str:
        return display_percent(rate, self.language)

    def day(self, moment) -> str:
        return f"{moment.astimezone(self.zone):%Y-%m-%d}" if moment else ""

    def country(self, code: str) -> str:
        try:
            return Locale.parse(self.locale).territories.get(code, code) if code else ""
        except (ValueError, LookupError):
            return code

    def address(self, address: dict) -> list[str]:
        """An address snapshot as lines, in the document's language (one with only a country reads as
        its name: "Polska"); a snapshot of before the fields were kept, holding none: its one line."""
        if not any(address.get(key) for key in ("address1", "address2", "postcode", "city", "region", "country")):
            return [_esc(address.get("one_line", ""))] if address.get("one_line") else []
        place = " ".join(p for p in [address.get("postcode", ""), address.get("city", "")] if p)
        # North American addresses name the state or province ("Montréal, QC"); elsewhere the
        # region (an ISO code such as PL-14) is not part of a postal address.
        region = (address.get("region") or "").removeprefix(f"{address.get('country', '')}-") \
            if address.get("country") in POSTAL_REGIONS else ""
        return [_esc(line) for line in [address.get("address1", ""), address.get("address2", ""),
                                        ", ".join(p for p in [place, region] if p),
                                        self.country(address.get("country", ""))] if line]

    # --- blocks --------------------------------------------------------------------------

    def registrations(self) -> list[str]:
        """Every number the seller is registered under, as entered on the home company at issue;
        the PST/QST number named after what it is (registrations.provincial_label)."""
        return [f"{label}: {_esc(number)}" for label, number in
                registration_lines(self.company, self.document.tax_lines)]

    def parties(self) -> Table:
        seller_label, buyer_label = _("Seller"), _("Buyer")
        seller = [f"<b>{seller_label}</b>", f"<b>{_esc(self.company.get('name', ''))}</b>",
                  *self.address(self.company), *self.registrations()]
        billing = self.document.billing_address or {}
        buyer = [f"<b>{buyer_label}</b>", f"<b>{_esc(self.client.get('display_name', ''))}</b>"]
        if billing.get("contact_name") and billing["contact_name"] != self.client.get("display_name"):
            buyer.append(_esc(billing["contact_name"]))
        buyer += self.address(billing)
        if self.client.get("tax_id"):
            buyer.append(f"{_('Tax ID')}: {_esc(self.client['tax_id'])}")
        rows = [[Paragraph("<br/>".join(seller), self.normal), Paragraph("<br/>".join(buyer), self.normal)]]
        shipping = self.document.shipping_address or {}
        if shipping and shipping.get("one_line") != billing.get("one_line"):
            ship_label = _("Shipping address")
            contact = [_esc(shipping["contact_name"])] if shipping.get("contact_name") else []
            lines = [f"<b>{ship_label}</b>", *contact, *self.address(shipping)]
            rows.append(["", Paragraph("<br/>".join(lines), self.normal)])
        return self.table(rows, colWidths=[87 * mm, 87 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                                 ("TOPPADDING", (0, 1), (-1, -1), 6)])

    def meta(self) -> list[str]:
        document = self.document
        number, issued, due = _("Number"), _("Issue date"), _("Due date")
        paid = pgettext("date a document was paid", "Paid")
        lines = [f"{number}: {_esc(document.number or '')}",
                 f"{issued}: {self.day(document.issue_date)}" if document.issue_date else "",
                 f"{due}: <b>{self.day(document.due_date)}</b>" if document.due_date and document.type == "PROFORMA"
                 else "",
                 f"{paid}: {self.day(document.paid_date)}" if document.paid_date and document.type == "INVOICE"
                 else ""]
        if document.related_id and document.type == "CREDIT_NOTE":
            invoice = document.related
            lines.append(_esc(_("Corrects invoice %(number)s of %(date)s") % {
                "number": invoice.number or "", "date": self.day(invoice.issue_date)}))
            if document.reason:
                reason_label = _("Reason for the correction")
                lines.append(f"{reason_label}: {_esc(document.reason)}")
        return [line for line in lines if line]

    def header(self, logo: bytes | None) -> list:
        title = Paragraph(f"{TITLES[self.document.type]} {_esc(self.document.number or '')}", self.heading)
        meta = Paragraph("<br/>".join(self.meta()), self.normal)
        image = logo_image(logo)
        if image is None:
            return [title, Spacer(1, 3 * mm), meta]
        right = ParagraphStyle("hr", parent=self.heading, alignment=TA_RIGHT)
        meta_right = ParagraphStyle("mr", parent=self.normal, alignment=TA_RIGHT)
        title = Paragraph(f"{TITLES[self.document.type]} {_esc(self.document.number or '')}", right)
        return [self.table([[image, [title, Spacer(1, 2 * mm), Paragraph("<br/>".join(self.meta()), meta_right)]]],
                      colWidths=[LOGO_WIDTH + 4 * mm, 174 * mm - LOGO_WIDTH - 4 * mm],
                      style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (0, 0), (0, 0), "LEFT")])]

    def rate_cell(self) -> str:
        if not self.rates:
            return _esc(self.no_vat)  # reverse charge, exempt, out of scope: with the note below
        if len(self.rates) == 1:
            return self.percent(self.rates[0])
        return "<br/>".join(f"{_esc(line['name'])} {self.percent(line['rate'])}" for line in self.document.tax_lines)

    def items(self) -> Table:
        small, right, bold, bold_right = self.small, self.small_right, self.small_bold, self.small_bold_right
        number, item, qty, unit, net = _("No."), _("Item"), _("Qty"), _("Unit price (net)"), _("Net")
        rate_label = _("VAT rate") if self.eu else _("Tax rate")
        head = [Paragraph(number, bold), Paragraph(item, bold), Paragraph(qty, bold_right), Paragraph(unit, bold_right)]
        if self.taxed:
            head.append(Paragraph(rate_label, bold_right))
        head.append(Paragraph(net, bold_right))
        gross = self.taxed and self.eu
        if gross:
            head.append(Paragraph(_("Gross"), bold_right))
        rows = [head]
        rate_cell = self.rate_cell() if self.taxed else ""
        items = list(self.document.items.all())
        # Each line bears its share of the tax the document charged, so the lines add up to its gross.
        grosses = line_grosses([line.net for line in items],
                               [Decimal(tax["amount"]) for tax in self.document.tax_lines], self.currency)
        net_at = 5 if self.taxed else 4
        one_line: dict[int, list[str]] = {}  # column → its numbers, each to be set on one line
        for position, (line, line_gross) in enumerate(zip(items, grosses, strict=True), start=1):
            numbers = {2: f"{line.quantity.normalize():f}", 3: self.money(line.unit_price),
                       net_at: self.money(line.net)}
            if gross:
                numbers[net_at + 1] = self.money(line_gross)
            for column, text in numbers.items():
                one_line.setdefault(column, []).append(text)
            row = [Paragraph(str(position), small), Paragraph(_esc(line.description), small),
                   Paragraph(numbers[2], right), Paragraph(numbers[3], right)]
            if self.taxed:
                row.append(Paragraph(rate_cell, right))
            row += [Paragraph(numbers[column], right) for column in sorted(numbers) if column >= net_at]
            rows.append(row)
        usual = {(True, True): [8, None, 14, 28, 16, 26, 26], (True, False): [8, None, 14, 30, 24, 30],
                 (False, False): [8, None, 14, 30, 30]}[(self.taxed, gross)]
        widths = [None if width is None else fitted(one_line.get(column, ()), font=self.regular, size=8,
                                                    minimum=width * mm)
                  for column, width in enumerate(usual)]
        table = self.table(rows, colWidths=with_description(widths), repeatRows=1)
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                                   ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)]))
        return table

    def summary(self) -> Table:
        """Net, tax and gross per rate (Art. 226(8)–(10): the taxable amount per rate and the tax
        payable), then the document's totals. Taxes that stack (GST + QST) each apply to the whole
        net, so a row's gross is printed only when one tax applies."""
        document, right, bold_right = self.document, self.small_right, self.small_bold_right
        net_label, total_label = _("Net"), _("Total")
        if not self.taxed:
            rows = [[Paragraph(net_label, self.small), Paragraph(self.money(document.net), right)],
                    [Paragraph(total_label, self.small_bold), Paragraph(self.money(document.total), bold_right)]]
            table = self.table(rows, colWidths=[40 * mm, fitted([self.money(document.total)], font=self.bold, size=8,
                                                                minimum=36 * mm)], hAlign="RIGHT")
            table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
            return table
        tax_label = _("VAT amount") if self.eu else _("Tax")
        rows = [[Paragraph(_("VAT rate") if self.eu else _("Tax rate"), self.small_bold),
                 Paragraph(net_label, bold_right), Paragraph(tax_label, bold_right),
                 Paragraph(_("Gross"), bold_right)]]
        single = len(document.tax_lines) <= 1
        for line in document.tax_lines:
            amount = Decimal(line["amount"])
            rows.append([Paragraph(f"{_esc(line['name'])} {self.percent(line['rate'])}", self.small),
                         Paragraph(self.money(document.net), right), Paragraph(self.money(amount), right),
                         Paragraph(self.money(document.net + amount) if single else "", right)])
        if not document.tax_lines:  # reverse charge, exempt, out of scope
            rows.append([Paragraph(_esc(self.no_vat), self.small), Paragraph(self.money(document.net), right),
                         Paragraph(self.money(0), right), Paragraph(self.money(document.net), right)])
        rows.append([Paragraph(total_label, self.small_bold), Paragraph(self.money(document.net), bold_right),
                     Paragraph(self.money(document.tax), bold_right),
                     Paragraph(self.money(document.total), bold_right)])
        # Bold totals are the widest: every amount column fits them (and the rows above) on one line.
        money_width = min(fitted([self.money(document.total), self.money(document.net)], font=self.bold, size=8,
                                 minimum=30 * mm), (PAGE_WIDTH - 34 * mm) / 3)
        table = self.table(rows, colWidths=[34 * mm] + [money_width] * 3, hAlign="RIGHT")
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                                   ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
        return table

    def amount_line(self) -> Paragraph | None:
        document = self.document
        if document.type == "PROFORMA":
            label = pgettext("amount on a proforma", "To pay")
        elif document.type == "CREDIT_NOTE":
            label = pgettext("amount on a credit note", "To refund")
        elif document.paid_date:
            label = pgettext("amount on a paid invoice", "Paid")
        else:
            label = pgettext("amount on a proforma", "To pay")
        return Paragraph(f"{label}: {self.money(abs(document.total))}", self.due)

    def payment(self) -> list:
        """How to pay a proforma: the bank details, the transfer's title and the due date."""
        document, company = self.document, self.company
        if document.type != "PROFORMA" or not company.get("bank_details"):
            return []
        pay_to, title, due = _("Pay to"), _("Transfer title"), _("Due date")
        lines = [f"<b>{pay_to}</b>", _lines(company["bank_details"]),
                 f"{title}: <b>{_esc(document.number or '')}</b>"]
        if document.due_date:
            lines.append(f"{due}: <b>{self.day(document.due_date)}</b>")
        box = self.table([[Paragraph("<br/>".join(lines), self.normal)]], colWidths=[174 * mm])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.grey), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                                 ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        return [Spacer(1, 6 * mm), box]

    def table(self, *args, **kwargs) -> Table:
        """A table in the document's font: cells that are plain text would otherwise be set in
        reportlab's Helvetica, a font the PDF does not embed (PDF/A wants every font embedded)."""
        made = Table(*args, **kwargs)
        made.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.regular)]))
        return made

    def build(self, logo: bytes | None) -> bytes:
        document = self.document
        buffer = io.BytesIO()
        # initialFontName: the canvas starts in the document's font, not reportlab's Helvetica, so that
        # every font the PDF names is embedded (PDF/A, when the PDF becomes a Factur-X).
        pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                bottomMargin=18 * mm, title=document.number or "",
                                author=self.company.get("name", ""), initialFontName=self.regular)
        # No status: the PDF is made once at issue and never changes (a credit note is its own document).
        story = [*self.header(logo), Spacer(1, 6 * mm), self.parties(), Spacer(1, 7 * mm), self.items(),
                 Spacer(1, 5 * mm), self.summary(), *tax_currency_block(self), Spacer(1, 3 * mm), self.amount_line()]
        note = vat_note(document)  # reverse charge, or the exemption and its basis recorded at issue
        if note:
            story += [Spacer(1, 5 * mm), Paragraph(_esc(note), self.strong)]
        story += self.payment()
        if self.company.get("invoice_footer"):
            story += [Spacer(1, 8 * mm), Paragraph(_lines(self.company["invoice_footer"]), self.normal)]
        page_label = _("Page %(page)d")
        footer_text = f"{document.number or ''}"

        def footer(canvas, doc) -> None:
            canvas.saveState()
            canvas.setFont(self.regular, 7)
            canvas.setFillColor(colors.grey)
            canvas.drawString(18 * mm, 10 * mm, footer_text)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, page_label % {"page": doc.page})
            canvas.restoreState()

        pdf.build(story, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()
