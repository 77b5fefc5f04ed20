"""What a document's state allows (SPEC §7). One answer for the services, the staff panel, the API
and the portal: a button is offered exactly when its service would accept the action."""

from __future__ import annotations

from decimal import Decimal

from .models import Document, DocumentStatus, DocumentType


def takes_payment(document: Document) -> bool:
    """An issued proforma that is still unpaid (partly paid included)."""
    return document.type == DocumentType.PROFORMA and document.status == DocumentStatus.UNPAID


def can_be_cancelled(document: Document) -> bool:
    """A draft or unpaid proforma, partly paid included: what it received stays with the client as
    credit (credit_kept_on_cancel), and staff confirm that amount first (partly_paid)."""
    return document.type == DocumentType.PROFORMA and document.status in (DocumentStatus.DRAFT,
                                                                          DocumentStatus.UNPAID)


def partly_paid(document: Document) -> bool:
    """An unpaid proforma that has received part of its total: cancelling it keeps what was received
    on the client's balance, so staff confirm that amount (docs/decisions.md)."""
    return takes_payment(document) and document.paid_gross > 0


def credit_kept_on_cancel(document: Document) -> Decimal:
    """What a cancelled proforma leaves on the client's balance: the net part of each payment it
    received, which its PAYMENT entry credited when the payment was recorded (the balance is kept in
    net, as a top-up's; nothing is posted at the cancel). 0 for a proforma that received nothing."""
    return document.paid_net if partly_paid(document) else Decimal(0)


def refundable_net(document: Document) -> Decimal:
    """The net a credit note may still refund on this invoice (0 for anything else)."""
    if document.type != DocumentType.INVOICE or document.status not in (DocumentStatus.PAID,
                                                                        DocumentStatus.PARTIALLY_REFUNDED):
        return Decimal(0)
    return document.net - document.refunded_net


def can_be_credited(document: Document) -> bool:
    """A paid invoice with net left to refund; a fully refunded one offers no credit note."""
    return refundable_net(document) > 0


def takes_bank_transfers(bank_details: str | None) -> bool:
    """A home company is paid by bank transfer only to an account it gave (its bank details, as the
    PDF prints "pay to" only then): without one no page tells a client to pay by transfer."""
    return bool((bank_details or "").strip())


def pays_by_transfer(document: Document, *, settling: bool = False) -> bool:
    """A proforma still unpaid, of a home company that gave its account when the proforma was issued
    (the snapshot, as its PDF) — and, with settling, none while an online payment of it is settling
    (payments.selectors.payable_online): a transfer then would pay the same money twice."""
    return (not settling and takes_payment(document)
            and takes_bank_transfers((document.company_snapshot or {}).get("bank_details")))
