"""Writes of proformas, invoices and credit notes (SPEC §7), one module per sub-domain: proformas
(issue, Add Funds, cancel), payments (a payment and the final invoice it settles) and credit_notes;
numbering takes a document's number, issuing writes and finishes issued documents (the PDF, the
DocumentIssued event), common holds the rest they share (the document lock, text cleaning). Each
service is one transaction: all or nothing. Importers use the names listed here, not the modules."""

from .add_funds_limits import add_funds_limit_delete, add_funds_limit_save
from .common import DocumentStateError
from .credit_notes import CreditNoteOutcome, credit_note_issue
from .numbering import document_number
from .payments import PaymentOutcome, proforma_pay
from .proformas import proforma_add_funds, proforma_cancel, proforma_issue

__all__ = [
    "CreditNoteOutcome",
    "DocumentStateError",
    "PaymentOutcome",
    "add_funds_limit_delete",
    "add_funds_limit_save",
    "credit_note_issue",
    "document_number",
    "proforma_add_funds",
    "proforma_cancel",
    "proforma_issue",
    "proforma_pay",
]
