"""Writes of proformas, invoices and credit notes (SPEC §7). Each service is one transaction: all or
nothing. Importers use the names listed here."""

from .proformas import (
    CreditNoteOutcome,
    DocumentStateError,
    PaymentOutcome,
    credit_note_issue,
    document_number,
    proforma_add_funds,
    proforma_cancel,
    proforma_issue,
    proforma_pay,
)

__all__ = [
    "CreditNoteOutcome",
    "DocumentStateError",
    "PaymentOutcome",
    "credit_note_issue",
    "document_number",
    "proforma_add_funds",
    "proforma_cancel",
    "proforma_issue",
    "proforma_pay",
]
