"""Reads of e-invoices. Who sees one follows its document (invoicing.selectors.documents_visible_to)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clientpanel.invoicing.models import Document
from clientpanel.invoicing.storage import pdf_filename

from .exporters import get_exporter
from .models import EInvoice, EInvoiceProfile, VatExchangeRate


def einvoice_of(document: Document) -> EInvoice | None:
    return EInvoice.objects.filter(document=document).first()


def einvoice_filename(einvoice: EInvoice, document: Document) -> str:
    """"FV-2026-11-0001.ksef_fa3.xml": the name of the document's PDF with the format and its
    extension instead of ".pdf", so that the two lie side by side in a ZIP."""
    stem = pdf_filename(document).removesuffix(".pdf")
    return f"{stem}.{einvoice.format}.{get_exporter(einvoice.format).extension}"


def einvoice_media_type(einvoice: EInvoice) -> str:
    return get_exporter(einvoice.format).media_type


def einvoice_profile_of(company) -> EInvoiceProfile | None:
    return EInvoiceProfile.objects.filter(home_company=company).first()


def einvoice_format_of(company) -> str:
    return EInvoiceProfile.objects.filter(home_company=company).values_list("format", flat=True).first() or ""


def vat_exchange_rates(*, currency: str = "") -> QuerySet[VatExchangeRate]:
    rates = VatExchangeRate.objects.order_by("-day", "currency")
    return rates.filter(currency=currency) if currency else rates


# An e-invoice still to see through: could not be made, or a KSeF one not accepted (yet).
AWAITING = Q(einvoice__status="FAILED") | (Q(einvoice__format="ksef_fa3") & (
    Q(einvoice__status__in=["MADE", "SENDING", "REJECTED"])
    # Accepted by KSeF's test or demo environment: not a legal acceptance.
    | Q(einvoice__status="ACCEPTED", einvoice__ksef_environment__in=["TEST", "DEMO"])))


def awaiting_acceptance(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Finance → Documents' "E-invoice not yet accepted": documents whose e-invoice could not be
    made, or whose KSeF file KSeF has not accepted (not sent, being checked, rejected)."""
    return documents.filter(AWAITING)
