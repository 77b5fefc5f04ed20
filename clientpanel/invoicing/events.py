"""Events of invoicing, published inside the service's transaction (core/events.py). Amounts are
the documents' own (a credit note's are negative); the payload writes them as strings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from clientpanel.core.events import Event


@dataclass(frozen=True)
class DocumentIssued(Event):
    """A proforma, final invoice or credit note was numbered and issued (its PDF is stored)."""

    name = "document.issued"
    document_id: uuid.UUID
    client_id: uuid.UUID
    type: str  # PROFORMA, INVOICE, CREDIT_NOTE
    number: str
    currency: str
    total: Decimal


@dataclass(frozen=True)
class DocumentEvent(Event):
    """What a payment or refund event names first: the document paid or refunded, its client and
    its number; then the document that followed (the invoice, the credit note). DocumentIssued keeps
    its own field order (type before number), the key order its webhook bodies have always had."""

    document_id: uuid.UUID
    client_id: uuid.UUID
    number: str


@dataclass(frozen=True)
class DocumentPaid(DocumentEvent):
    """A proforma was paid in full: it is INVOICED and its final invoice is issued. The document
    is the proforma."""

    name = "document.paid"
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    total: Decimal


@dataclass(frozen=True)
class DocumentRefunded(DocumentEvent):
    """A credit note refunded (part of) an invoice; status is the invoice's after it. The document
    is the invoice."""

    name = "document.refunded"
    credit_note_id: uuid.UUID
    credit_note_number: str
    currency: str
    refunded_total: Decimal  # gross, positive
    status: str  # PARTIALLY_REFUNDED or REFUNDED
