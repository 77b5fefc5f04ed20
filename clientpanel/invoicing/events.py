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
class DocumentPaid(Event):
    """A proforma was paid in full: it is INVOICED and its final invoice is issued."""

    name = "document.paid"
    document_id: uuid.UUID  # the proforma
    client_id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    total: Decimal


@dataclass(frozen=True)
class DocumentRefunded(Event):
    """A credit note refunded (part of) an invoice; status is the invoice's after it."""

    name = "document.refunded"
    document_id: uuid.UUID  # the invoice
    client_id: uuid.UUID
    number: str
    credit_note_id: uuid.UUID
    credit_note_number: str
    currency: str
    refunded_total: Decimal  # gross, positive
    status: str  # PARTIALLY_REFUNDED or REFUNDED
