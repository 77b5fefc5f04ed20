"""Reads of e-invoices. Who sees one follows its document (invoicing.selectors.documents_visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet

from clientpanel.invoicing.models import Document

from .exporters import get_exporter
from .models import EInvoice, EInvoiceProfile, VatExchangeRate


def einvoice_of(document: Document) -> EInvoice | None:
    return EInvoice.objects.filter(document=document).first()


def einvoice_filename(einvoice: EInvoice, document: Document) -> str:
    """"FV-2026-11-0001.ksef_fa3.xml": the document's number made safe, the format, its extension."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in (document.number or str(document.pk)))
    return f"{stem.strip('-') or document.pk}.{einvoice.format}.{get_exporter(einvoice.format).extension}"


def einvoice_media_type(einvoice: EInvoice) -> str:
    return get_exporter(einvoice.format).media_type


def einvoice_format_of(company) -> str:
    return EInvoiceProfile.objects.filter(home_company=company).values_list("format", flat=True).first() or ""


def vat_exchange_rates(*, currency: str = "") -> QuerySet[VatExchangeRate]:
    rates = VatExchangeRate.objects.order_by("-day", "currency")
    return rates.filter(currency=currency) if currency else rates
