"""Whether an e-invoice can be made for a document now, and if not, why: one answer for the staff
page (the button is offered only when it can be, the reason shown otherwise), the service that makes
it (refused with the same reason) and the API (the reason a document has no e-invoice)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from clientpanel.invoicing.models import Document

from .making import E_INVOICED, format_for, profile_of
from .models import EInvoice, EInvoiceStatus
from .reasons import Reason, describe
from .requirements import document_unmet

# Why an e-invoice cannot be made (Makeable.refusal).
NOT_ISSUED = "not_issued"  # a proforma, or a document not numbered
MADE = "made"  # made already: an issued document's file never changes
CONSUMER = "consumer"  # the company issues KSeF FA(3), which is for buyers with a tax ID; the client had none
NO_FORMAT = "no_format"  # neither the company nor the client chose a format
UNMET = "unmet"  # the format asks what this document, as issued, does not have (requirements.py)


@dataclass(frozen=True)
class Makeable:
    """format_key: the format it would be made in ("" when it cannot be made); refusal: the code of
    the reason it cannot ("" when it can); waiting: no e-invoice exists yet (issued before a format
    applied to it), as opposed to one that could not be made (FAILED) and is made again; unmet: for
    UNMET, what the format asks that the document lacks; failed_so: its FAILED e-invoice, shown
    beside, says that already."""

    format_key: str
    refusal: str = ""
    waiting: bool = False
    unmet: Reason | None = None
    failed_so: bool = False

    def __bool__(self) -> bool:
        return not self.refusal

    @property
    def reason(self) -> str:
        """Why it cannot be made, or why it has none yet, in the reader's language."""
        if self.refusal == NOT_ISSUED:
            return _("Only issued invoices and credit notes have e-invoices.")
        if self.refusal == MADE:
            return _("This document's e-invoice is made already; it never changes.")
        if self.refusal == CONSUMER:
            return _("Its home company issues KSeF FA(3) e-invoices, which are for buyers with a tax ID, and the "
                     "client had none on this document: a consumer gets the PDF, or the e-invoice format chosen on "
                     "the client's profile.")
        if self.refusal == UNMET and self.failed_so:
            return _("An issued document never changes, so its e-invoice cannot be made again.")
        if self.refusal == UNMET and self.unmet is not None:
            return describe(self.unmet, self.unmet.code, self.unmet.params)
        if self.refusal == NO_FORMAT:
            return _("Neither the document's home company nor its client chose an e-invoice format; choose one "
                     "under Settings → Home companies or on the client's profile first.")
        if self.waiting:
            return _("Issued before its home company or its client chose an e-invoice format.")
        return ""


def einvoice_makeable(document: Document, existing: EInvoice | None = None) -> Makeable:
    """Whether the document's e-invoice can be made (or made again) now. The format is
    making.format_for's — the one einvoice_make writes — so what is offered is what can be made:
    KSeF FA(3) only to a buyer with a tax ID on the document, else the client's format, else the
    company's — and only when the document, as issued, has what that format asks (requirements.py:
    a seller's VAT or tax number, one tax per line). existing: the document's e-invoice when the
    caller has it (locked) already."""
    if document.type not in E_INVOICED or not document.number:
        return Makeable("", NOT_ISSUED)
    if existing is None:
        existing = EInvoice.objects.filter(document=document).first()
    if existing is not None and existing.status != EInvoiceStatus.FAILED:
        return Makeable("", MADE)
    format_key, _profile = format_for(document)
    if not format_key:
        # format_for leaves a company's format out only for KSeF FA(3) and a buyer without a tax ID.
        return Makeable("", CONSUMER if profile_of(document.home_company_id) is not None else NO_FORMAT)
    unmet = document_unmet(format_key, document)
    if unmet is not None:  # never makeable: said before anyone presses a button that would only fail
        return Makeable(format_key, UNMET, unmet=unmet,
                        failed_so=existing is not None and existing.error_code == unmet.code)
    return Makeable(format_key, waiting=existing is None)
