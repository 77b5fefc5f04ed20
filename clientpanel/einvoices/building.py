"""What an exporter is given (`EInvoiceInput`), read from an issued document as it was issued: its
snapshots of the home company and the client, its billing address, items and tax lines — never the
live client or company, which may have changed since."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from stdnum import iban

from clientpanel.core.money import round_to_minor_unit
from clientpanel.invoicing.models import Document, DocumentType, Payment
from clientpanel.tax.selectors import vat_member_state

from .exporters import CREDIT_NOTE, INVOICE, Corrected, EInvoiceInput, ExchangeRate, Line, Party, Tax

_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")


def local_day(document: Document, moment: dt.datetime | None) -> dt.date | None:
    """The day of a moment in the zone the document was dated in (Document.zone): the day printed on
    its PDF and counted in the tax report, for a snapshot without a zone too."""
    return moment.astimezone(document.zone).date() if moment else None


def bank_account(details: str) -> str:
    """The first valid IBAN in the company's free-text bank details ("" when none)."""
    for candidate in _IBAN_CANDIDATE.findall((details or "").upper()):
        if iban.is_valid(candidate):
            return iban.compact(candidate)
    return ""


def _plain(value: Decimal, least_places: int = 0) -> Decimal:
    """A stored 4-place figure with its needless zeros dropped ("1.0000" → 1, "0.0137" stays), but
    never fewer than `least_places` places (a price of 12.5000 → 12.50)."""
    exponent = min(value.normalize().as_tuple().exponent, -least_places)
    return value.quantize(Decimal(1).scaleb(exponent)) if exponent < 0 else value.quantize(Decimal(1))


# What a seller is read from: a company's snapshot on a document, or the company itself (requirements.py).
SELLER_FIELDS = ("name", "country", "address1", "address2", "city", "postcode", "region", "local_tax_id",
                 "eu_vat_id", "registration_number", "us_ein", "ca_gst_hst", "ca_bn")


def seller_party(company: Mapping[str, object]) -> Party:
    """The seller as a company's values say it (a document's company_snapshot, or the company's own
    fields). Its tax number is the local tax ID or, where a country has its own field, the number
    that registers the company for tax there: a US company's EIN, a Canadian one's GST/HST number
    (else its BN) — what EN 16931 writes as the seller's tax registration (BT-32, or BT-30 when it
    shows no VAT number). Reading only the local and EU numbers left a US or Canadian seller with
    none, and every e-invoice of theirs failed."""
    def value(name: str) -> str:
        return str(company.get(name) or "").strip()

    country = value("country").upper()
    tax_id = value("local_tax_id")
    if not tax_id and country == "US":
        tax_id = value("us_ein")
    elif not tax_id and country == "CA":
        tax_id = value("ca_gst_hst") or value("ca_bn")
    return Party(name=value("name"), country=value("country"), address1=value("address1"),
                 address2=value("address2"), city=value("city"), postcode=value("postcode"), region=value("region"),
                 tax_id=tax_id, vat_id=value("eu_vat_id"), registration_number=value("registration_number"))


def _buyer(document: Document) -> Party:
    client, address = document.client_snapshot, document.billing_address
    tax_id = (client.get("tax_id") or "").strip()
    company_name = client.get("company_name") or address.get("name") or ""
    name = company_name or client.get("display_name") or " ".join(
        p for p in (client.get("firstname"), client.get("lastname")) if p)
    return Party(name=name, country=address.get("country") or "", address1=address.get("address1") or "",
                 address2=address.get("address2") or "", city=address.get("city") or "",
                 postcode=address.get("postcode") or "", region=address.get("region") or "", tax_id=tax_id,
                 vat_id=tax_id.replace(" ", "").upper() if vat_member_state(tax_id) else "",
                 email=address.get("email") or client.get("email") or "",
                 phone=address.get("phone") or client.get("phone") or "",
                 # Not in the snapshot (added by issue 16): the client's own, as it is when the file is made.
                 peppol_id=getattr(document.client, "peppol_id", "") or "",
                 is_business=bool(company_name or tax_id))


def settling_payment(invoice: Document) -> Payment | None:
    """The payment that paid an invoice's proforma in full: the last of its money to arrive (the
    invoice's paid date), the one recorded later where two arrived at once. None for an invoice no
    proforma paid (a credit note, one settled otherwise)."""
    return (Payment.objects.filter(document__related_id=invoice.pk, document__type=DocumentType.PROFORMA)
            .order_by("-paid_at", "-created_at").first())


def einvoice_input(document: Document, *, exchange_rate: ExchangeRate | None = None,
                   corrected_ksef_number: str = "", payment_means: str = "", payment_method_code: str = "",
                   extra: dict[str, str] | None = None) -> EInvoiceInput:
    """The exporter's view of an issued invoice or credit note. An invoice's payment means are, unless
    given, the method of the payment that settled it."""
    if document.type not in (DocumentType.INVOICE, DocumentType.CREDIT_NOTE) or not document.number:
        raise ValueError(f"only issued invoices and credit notes are e-invoiced, not {document.type}")
    if document.type == DocumentType.INVOICE and not (payment_means or payment_method_code):
        settling = settling_payment(document)
        if settling is not None:
            payment_means, payment_method_code = settling.method, settling.method_code
    items = list(document.items.order_by("position"))
    currency = document.currency

    def amount(value: object) -> Decimal:  # stored with 4 places; always whole minor units
        return round_to_minor_unit(Decimal(str(value)), currency)

    corrected = None
    if document.type == DocumentType.CREDIT_NOTE and document.related_id:
        invoice = document.related
        corrected = Corrected(number=invoice.number or "", issue_date=local_day(invoice, invoice.issue_date),
                              ksef_number=corrected_ksef_number)
    return EInvoiceInput(
        type=INVOICE if document.type == DocumentType.INVOICE else CREDIT_NOTE, number=document.number,
        issue_date=local_day(document, document.issue_date), currency=currency, net=amount(document.net),
        tax=amount(document.tax), total=amount(document.total),
        taxes=tuple(Tax(name=str(t.get("name") or "VAT"), rate=_plain(Decimal(str(t.get("rate") or "0"))),
                        amount=amount(t.get("amount") or "0")) for t in document.tax_lines),
        reverse_charge=document.reverse_charge, seller=seller_party(document.company_snapshot or {}),
        buyer=_buyer(document),
        lines=tuple(Line(position=index, description=item.description, quantity=_plain(item.quantity),
                         unit_price=_plain(item.unit_price, 2), net=amount(item.net),
                         period_start=local_day(document, item.period_start),
                         period_end=local_day(document, item.period_end))
                    for index, item in enumerate(items, start=1)),
        language=document.language, due_date=local_day(document, document.due_date),
        paid_date=local_day(document, document.paid_date) if document.type == DocumentType.INVOICE else None,
        # A credit note pays nothing in: no account to pay into (the seller refunds).
        payment_means=payment_means, payment_method_code=payment_method_code,
        seller_bank_account=bank_account(document.company_snapshot.get("bank_details"))
        if document.type == DocumentType.INVOICE else "",
        note=document.company_snapshot.get("invoice_footer") or "", corrected=corrected, reason=document.reason,
        exchange_rate=exchange_rate, buyer_reference=str(document.client_snapshot.get("number") or ""),
        extra=dict(extra or {}))
