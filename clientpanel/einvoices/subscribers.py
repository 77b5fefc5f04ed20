"""E-invoices listen to invoicing: every issued invoice and credit note of a home company that
issues e-invoices gets its structured file in the issuing transaction, beside its PDF (stored
just before the event is published)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from clientpanel.core.events import subscribe
from clientpanel.invoicing.events import DocumentIssued
from clientpanel.invoicing.models import Document

from .making import E_INVOICED, einvoice_make
from .models import EInvoiceProfile

log = logging.getLogger(__name__)


def on_document_issued(events: Sequence[DocumentIssued]) -> None:
    ids = [event.document_id for event in events if event.type in E_INVOICED]
    if not ids:
        return
    documents = Document.objects.filter(pk__in=ids).select_related("related", "client")
    if not EInvoiceProfile.objects.exclude(format="").exists():
        # No company issues e-invoices: only the clients that asked for one get it.
        documents = documents.exclude(client__einvoice_format="")
    for document in documents:
        try:
            with transaction.atomic():  # a savepoint: whatever fails here, the invoice is issued
                einvoice_make(document)
        except Exception:
            log.exception("the e-invoice of %s was not made; staff can make it from the document's page",
                          document.number)


def connect() -> None:
    subscribe(DocumentIssued, on_document_issued)
