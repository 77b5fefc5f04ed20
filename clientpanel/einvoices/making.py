"""Making e-invoices: the structured file of an issued invoice or credit note, in the format its
company or client chose, made once in the issuing transaction (subscribers.py) and stored; when it
cannot be made (a missing exchange rate, a seller without a tax number), the reason is kept and it
is made again once that is put right — on staff's request (services.py), when the rate arrives, or
when the invoice a credit note corrects gets its KSeF number."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.pdf.tax_currency import TaxInCurrency, VatInTaxCurrency
from clientpanel.invoicing.storage import stored_pdf

from .building import einvoice_input, local_day
from .exporters import CannotExport, ExchangeRate, get_exporter, in_tax_currency
from .models import EInvoice, EInvoiceProfile, EInvoiceStatus
from .rates import previous_working_day, tax_currency, vat_rate_for
from .reasons import error_columns, said
from .requirements import document_unmet
from .sending import sends_through_api
from .storage import store_einvoice_file

log = logging.getLogger(__name__)

E_INVOICED = (DocumentType.INVOICE, DocumentType.CREDIT_NOTE)


def profile_of(company_id: int) -> EInvoiceProfile | None:
    return EInvoiceProfile.objects.filter(home_company_id=company_id).exclude(format="").first()


def format_for(document: Document) -> tuple[str, EInvoiceProfile | None]:
    """The format the document's e-invoice is written in ("" — none), and its company's profile:
    KSeF for a company that issues through KSeF, to a buyer with a tax ID (the law's, whatever the
    client asked); else the format the client asked for (UBL, CII, Factur-X); else its company's."""
    profile = profile_of(document.home_company_id)
    asked = getattr(document.client, "einvoice_format", "") or ""
    if profile is not None and profile.format == "ksef_fa3":
        if document.client_snapshot.get("tax_id"):
            return profile.format, profile
        # A consumer: KSeF is obligatory between businesses only (and an EU consumer's invoice
        # under OSS carries another state's VAT); it gets its PDF, or the format it asked for.
        return (asked, profile) if asked else ("", None)
    if asked:
        return asked, profile
    return (profile.format, profile) if profile is not None else ("", None)


def einvoice_make(document: Document) -> EInvoice | None:
    """Write the document's e-invoice in its home company's format, in the caller's transaction
    (the issuing one, or staff's "Make it again"). One already made is answered as it is: issued
    documents, and so their files, never change. None when the company issues no e-invoices.

    The making runs in a savepoint and any failure is kept as the reason: a database error while
    making it (a lock timeout on PostgreSQL) must not abort the transaction that issues the invoice."""
    if document.type not in E_INVOICED or not document.number:
        return None
    existing = EInvoice.objects.select_for_update().filter(document=document).first()
    if existing is not None and existing.status != EInvoiceStatus.FAILED:
        return existing
    format_key, profile = format_for(document)
    if not format_key:
        return existing
    try:
        with transaction.atomic():
            content, rate = _export(document, format_key, profile)
            name = store_einvoice_file(document, format_key, content)
    except CannotExport as reason:
        return _keep(document, existing, format=format_key, status=EInvoiceStatus.FAILED, **error_columns(reason))
    except Exception:  # an exporter's bug or a storage that refuses: never the issuing of the invoice itself
        log.exception("e-invoice %s of %s could not be made", format_key, document.number)
        return _keep(document, existing, format=format_key, status=EInvoiceStatus.FAILED,
                     **error_columns(said("internal")))
    # Sent through KSeF's API by the "send_einvoices" job: the row is its own outbox entry, written
    # in the issuing transaction (sending.py).
    sends = format_key == "ksef_fa3" and sends_through_api(profile)
    return _keep(document, existing, format=format_key, status=EInvoiceStatus.MADE, file_name=name,
                 sha256=hashlib.sha256(content).hexdigest(), **error_columns(None), attempts=0,
                 rate=rate.rate if rate else None, rate_day=rate.day if rate else None,
                 rate_table=rate.table if rate else "",
                 next_attempt_at=timezone.now() if sends else None)


def _followed(document: Document) -> Document:
    """The document whose day, rate and size a document's VAT follows: a credit note its corrected
    invoice's (Art. 31a: the correction follows the original), any other itself."""
    return document.related if document.type == DocumentType.CREDIT_NOTE and document.related_id else document


def _rate(document: Document, to_currency: str) -> ExchangeRate | None:
    """The rate converting the document's VAT into the tax currency: the NBP rate of the last
    working day before the day the document was issued (in its company's time zone); for a credit
    note, the rate its invoice was converted with (Art. 31a: the correction follows the original)."""
    source = _followed(document)
    # Once converted, always at that rate: the e-invoice keeps it (a rate corrected later changes
    # neither the file nor what the staff page says of it), and its credit notes follow it.
    kept = EInvoice.objects.filter(document=source, rate__isnull=False).first()
    if kept is not None:
        return ExchangeRate(currency=to_currency, rate=kept.rate.normalize(), day=kept.rate_day,
                            table=kept.rate_table)
    issue_day = local_day(source, source.issue_date) or timezone.localdate()
    day, rate = vat_rate_for(currency=document.currency, to_currency=to_currency, issue_day=issue_day)
    if rate is None and document.tax:
        raise CannotExport(said("rate_missing", to=to_currency, currency=document.currency, day=day.isoformat(),
                                document=source.number))
    return rate


def vat_in_tax_currency(document: Document) -> VatInTaxCurrency | None:
    """What an invoice's or credit note's PDF prints of its VAT in the seller's tax currency (PLN
    for a Polish company's foreign-currency document): each tax line converted as the e-invoice
    converts it (the same rate, `_rate`, and the same rounding, `in_tax_currency`). None when there
    is nothing to convert or the rate is not known yet: the PDF, made before the e-invoice, then
    prints no złoty figures, and the e-invoice's failure asks staff for the rate (docs/decisions.md)."""
    to_currency = tax_currency(str(document.company_snapshot.get("country") or ""))
    taxed = [line for line in document.tax_lines if Decimal(str(line["amount"]))]
    if document.type not in E_INVOICED or not to_currency or document.currency == to_currency or not taxed:
        return None
    try:
        rate = _rate(document, to_currency)
    except CannotExport:
        return None
    if rate is None:
        return None
    return VatInTaxCurrency(currency=to_currency, rate=rate.rate, day=rate.day, table=rate.table, taxes=tuple(
        TaxInCurrency(name=str(line["name"]), rate=Decimal(str(line["rate"])),
                      amount=in_tax_currency(Decimal(str(line["amount"])), rate.rate)) for line in taxed))


def _corrected_ksef_number(document: Document) -> str:
    """The KSeF number of the invoice a credit note corrects: "" when the invoice never went to
    KSeF; refused while its KSeF file is made but not accepted (the credit note would say, for
    ever, that the invoice was issued outside KSeF)."""
    invoice_einvoice = EInvoice.objects.filter(document_id=document.related_id).first()
    if invoice_einvoice is None or invoice_einvoice.format != "ksef_fa3":
        return ""  # issued before the company sent to KSeF: the invoice is outside KSeF indeed
    if invoice_einvoice.status != EInvoiceStatus.ACCEPTED:
        raise CannotExport(said("corrected_not_accepted", number=document.related.number))
    return invoice_einvoice.ksef_number


def _export(document: Document, format_key: str,
            profile: EInvoiceProfile | None) -> tuple[bytes, ExchangeRate | None]:
    exporter = get_exporter(format_key)
    unmet = document_unmet(format_key, document)
    if unmet is not None:  # the words the document's page says (rules.einvoice_makeable), not the exporter's
        raise CannotExport(unmet)
    to_currency = tax_currency(str(document.company_snapshot.get("country") or ""))
    rate = _rate(document, to_currency) if to_currency and document.currency != to_currency else None
    corrected_ksef = ""
    if document.type == DocumentType.CREDIT_NOTE and document.related_id and format_key == "ksef_fa3":
        corrected_ksef = _corrected_ksef_number(document)
    basis = exemption_basis(document)
    extra = {"vat_exemption_basis": basis} if basis else {}
    if profile is not None and profile.split_payment and _split_payment(document, rate):
        extra["split_payment"] = "1"
    data = einvoice_input(document, exchange_rate=rate, corrected_ksef_number=corrected_ksef, extra=extra)
    content = exporter.export(data, pdf=stored_pdf(document) if exporter.extension == "pdf" else None)
    problems = exporter.validate(content)
    if problems:
        # Our mapping's fault, not staff's: logged whole, shown short.
        log.error("e-invoice %s of %s does not validate: %s", format_key, document.number, problems)
        raise CannotExport(said("schema", problem=problems[0]))
    return content, rate


def exemption_basis(document: Document) -> str:
    """The legal basis of the exemption the document recorded at issue (a credit note: its
    invoice's, copied onto it), never today's setting. A document that recorded none (issued before
    documents recorded it, or while the company had none entered: its PDF says "VAT exempt" without
    a basis) takes the company's basis as it is now, so staff who enter it make the e-invoice that
    could not be made — nothing issued changes, the file did not exist (docs/decisions.md)."""
    return document.vat_exemption_basis.strip() or document.home_company.vat_exemption_basis.strip()


SPLIT_PAYMENT_ABOVE = Decimal("15000")  # zł gross: "exceeding 15,000" (Art. 108a ust. 1a of the Polish VAT act)


def _split_payment(document: Document, rate: ExchangeRate | None) -> bool:
    """MPP: a sale between businesses, with VAT, whose gross exceeds 15,000 zł — for a credit note,
    its invoice's (the correction follows the invoice it corrects)."""
    source = _followed(document)
    buyer = source.client_snapshot
    if not source.tax or not (buyer.get("company_name") or buyer.get("tax_id")):
        return False
    gross = abs(source.total)
    if source.currency != "PLN":
        gross = gross * rate.rate if rate is not None else Decimal(0)
    return gross > SPLIT_PAYMENT_ABOVE


def einvoices_waiting_for_rate(*, currency: str, day: dt.date) -> int:
    """A rate arrived (entered, or fetched from NBP): make the e-invoices that could not be made for
    want of it (documents in that currency issued on the working day after it). Answers how many."""
    made = 0
    # Issued on one of the days whose last working day before is `day` (a week at the most, around
    # Easter); credit notes by their invoice's day. Invoices first: their notes wait for them.
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=10)
    window = Q(issue_date__gte=start, issue_date__lt=end) | Q(related__issue_date__gte=start,
                                                               related__issue_date__lt=end)
    waiting = (Document.objects.filter(currency=currency, einvoice__status=EInvoiceStatus.FAILED).filter(window)
               .select_related("related", "client").order_by("issue_date"))
    for document in waiting:
        source = _followed(document)
        if previous_working_day(local_day(source, source.issue_date) or timezone.localdate()) != day:
            continue
        einvoice = _make_quietly(document)
        made += bool(einvoice and einvoice.status == EInvoiceStatus.MADE)
    return made


def _make_quietly(document: Document) -> EInvoice | None:
    """einvoice_make in a savepoint for a caller doing something else (a rate saved, a KSeF number
    recorded): a failure here is logged and leaves the document as it was, never the caller's work."""
    try:
        with transaction.atomic():
            return einvoice_make(document)
    except Exception:
        log.exception("the e-invoice of %s was not made", document.number)
        return None


def credit_notes_waiting_for(invoice_id: UUID) -> None:
    """The invoice's KSeF number is known now: make the e-invoices of its credit notes that waited
    for it (in the caller's transaction)."""
    waiting = Document.objects.filter(related_id=invoice_id, type=DocumentType.CREDIT_NOTE,
                                      einvoice__status=EInvoiceStatus.FAILED).select_related("related", "client")
    for note in waiting.order_by("issue_date"):
        _make_quietly(note)


def _keep(document: Document, existing: EInvoice | None, **fields) -> EInvoice:
    if existing is None:
        return EInvoice.objects.create(document=document, **fields)
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save()
    return existing

