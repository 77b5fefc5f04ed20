"""Payments: recording a payment on an UNPAID proforma (a Payment row and a PAYMENT ledger entry of
its net part, once per transaction ID) and, when it settles the proforma, the final invoice: a PAID
invoice with its own number, the CHARGE entries of its items that are not top-ups, and the proforma
marked INVOICED. All in one transaction, with audit events."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.money import AmountError, currency_minor_unit, parse_amount, reader_amount
from clientpanel.ledger.descriptions import PAYMENT, described
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import entry_by_transaction_id
from clientpanel.ledger.services import TransactionIdUsed, entry_post

from .. import policies, rules
from ..calculations import leaves_net_due, payment_net
from ..events import DocumentPaid
from ..models import Document, DocumentItem, DocumentStatus, DocumentType, Payment
from ..pricing import clean_positive_amount
from .common import DocumentStateError, clean_short_text, locked_document
from .issuing import document_derived, document_issued


@dataclass(frozen=True)
class PaymentOutcome:
    """A payment and whether this call recorded it (False: the same payment was recorded before
    and nothing new was posted)."""

    payment: Payment
    created: bool

    @property
    def entry_sequence(self) -> int | None:
        return LedgerEntry.objects.filter(pk=self.payment.ledger_entry_id).values_list("sequence", flat=True).first()


def _clean_paid_at(paid_at: object, errors: FieldErrors) -> dt.datetime:
    """When the money arrived: an aware moment, not in the future. A moment without a UTC offset is
    refused rather than guessed (a gateway's local time read as UTC would move a payment by hours)."""
    now = timezone.now()
    if paid_at is None or paid_at == "":
        return now
    if not isinstance(paid_at, dt.datetime):
        errors.add("paid_at", _("Give the date and time of the payment, e.g. 2026-11-22T10:00:00+01:00."))
        return now
    if timezone.is_naive(paid_at):
        errors.add("paid_at", _("Include the time zone offset, e.g. 2026-11-22T10:00:00+01:00 or …Z for UTC."))
        return now
    if paid_at > now:
        errors.add("paid_at", _("A payment cannot be in the future."))
    return paid_at


def proforma_pay(*, actor: ActorLike, document_id, amount: object, paid_at: object = None,
                 method: object = "", transaction_id: object = "", method_code: str = "") -> PaymentOutcome:
    """Record a payment (gross) on an UNPAID proforma: a PAYMENT entry of its net part, and when
    it settles the proforma the final invoice — all in one transaction, once. The same transaction
    ID with the same amount on the same proforma, reported again or at the same time, answers the
    payment already recorded (created=False); the ID on anything else is a conflict naming it.
    `method_code`: the system's own method (payment_methods.method_columns gives both), "" for
    a method someone typed."""
    require(policies.can_record_payments(as_actor(actor)), _("You are not allowed to record payments."))
    errors = FieldErrors()
    transaction_id = clean_short_text(transaction_id, 100, "transaction_id", errors)
    method = clean_short_text(method, 50, "method", errors)
    method_code = str(method_code or "")[:50]
    paid_at = _clean_paid_at(paid_at, errors)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            return _record_payment(actor, document_id, amount, paid_at, method, transaction_id, method_code)
    except IntegrityError:
        # Another request recorded this transaction ID between our check and our insert.
        if not transaction_id:
            raise
        with transaction.atomic():
            return _record_payment(actor, document_id, amount, paid_at, method, transaction_id, method_code)


def _payment_replay(document: Document, transaction_id: str, amount: object) -> PaymentOutcome | None:
    """The payment this transaction ID already recorded, when the request repeats it exactly;
    a Conflict naming the entry when the ID was used for something else."""
    if not transaction_id:
        return None
    existing = Payment.objects.filter(client_id=document.client_id, transaction_id=transaction_id).first()
    if existing is not None:
        same_amount = False
        with contextlib.suppress(AmountError):
            same_amount = parse_amount(amount) == existing.gross
        if existing.document_id == document.pk and same_amount:
            return PaymentOutcome(existing, created=False)
    entry = entry_by_transaction_id(client_id=document.client_id, transaction_id=transaction_id)
    if entry is not None:
        raise TransactionIdUsed.by(entry, document.currency)
    return None


def _record_payment(actor, document_id, amount, paid_at, method, transaction_id, method_code) -> PaymentOutcome:
    document = locked_document(actor, document_id)
    replay = _payment_replay(document, transaction_id, amount)
    if replay is not None:
        return replay
    if not rules.takes_payment(document):
        if document.type != DocumentType.PROFORMA:
            raise DocumentStateError(_("Payments are recorded on proformas."),
                                     fields={"document": [_("Not a proforma.")]})
        status = {"status": document.get_status_display().lower()}
        raise DocumentStateError(_("This proforma is %(status)s; it takes no payment.") % status,
                                 fields={"amount": [_("The proforma is %(status)s.") % status]})
    errors = FieldErrors()
    gross = clean_positive_amount(amount, document.currency, errors, "amount")
    if paid_at < document.issue_date:
        # Named with its zone: the document's is its company's, not necessarily the reader's.
        issued = f"{timezone.localtime(document.issue_date, document.zone):%Y-%m-%d %H:%M:%S} ({document.zone.key})"
        errors.add("paid_at", _("The proforma was issued on %(issued)s; a payment for it cannot be earlier.")
                   % {"issued": issued})
    errors.raise_if_any()
    remaining_gross = document.total - document.paid_gross
    if gross > remaining_gross:
        due = {"amount": reader_amount(remaining_gross, document.currency)}
        raise ValidationFailed(_("Overpayment: %(amount)s is due.") % due,
                               fields={"amount": [_("At most %(amount)s is due.") % due]})
    total_rate = sum((Decimal(t["rate"]) for t in document.tax_lines), Decimal("0"))
    net = payment_net(gross=gross, total_rate=total_rate, remaining_gross=remaining_gross,
                      remaining_net=document.net - document.paid_net,
                      minor_unit=Decimal(1).scaleb(-currency_minor_unit(document.currency)))
    if not leaves_net_due(gross=gross, net=net, remaining_gross=remaining_gross,
                          remaining_net=document.net - document.paid_net):
        # Only in a currency of four decimals, paid 1/10,000s at a time: its net has fewer units.
        due = {"amount": reader_amount(remaining_gross, document.currency)}
        raise ValidationFailed(_("Too small a part: pay the %(amount)s due at once.") % due,
                               fields={"amount": [_("Pay the %(amount)s due at once.") % due]})
    entry, created = entry_post(client_id=document.client_id, type=EntryType.PAYMENT, net=net, gross=gross,
                                transaction_id=transaction_id, document_id=document.pk,
                                **described(PAYMENT, number=document.number))
    if not created:  # another request took the ID for another document meanwhile
        raise TransactionIdUsed.by(entry, document.currency)
    payment = Payment.objects.create(document=document, client_id=document.client_id, gross=gross, net=net,
                                     method=method, method_code=method_code,
                                     transaction_id=transaction_id, paid_at=paid_at,
                                     ledger_entry_id=entry.pk)
    document.paid_gross += gross
    document.paid_net += net
    document.save(update_fields=["paid_gross", "paid_net"])
    audit_record(action="document.payment", target=document, client_id=document.client_id,
                 changes={"paid": [str(document.paid_gross - gross), str(document.paid_gross)],
                          "transaction_id": [None, transaction_id or None]})
    if document.paid_gross == document.total:
        # Paid in full when the last of its money arrived: payments may be recorded out of order
        # (a bank statement read late), so the latest paid_at, not the one recorded last.
        paid_in_full = max(Payment.objects.filter(document=document).values_list("paid_at", flat=True))
        _finalize(document, paid_in_full, actor)
    return PaymentOutcome(payment, created=True)


def _finalize(proforma: Document, paid_at: dt.datetime, actor: ActorLike) -> Document:
    """Issue the final invoice PAID with its own number, dated when it is issued (now, under the
    counter lock; never the payment's date, which is its paid date); the proforma becomes
    INVOICED. Items that are not top-ups are charged now, so the balance moves only by the
    top-ups."""
    invoice = document_derived(proforma, actor=actor, doc_type=DocumentType.INVOICE, status=DocumentStatus.PAID,
                               paid_date=paid_at, net=proforma.net, tax=proforma.tax, total=proforma.total,
                               paid_gross=proforma.total, paid_net=proforma.net, tax_lines=proforma.tax_lines)
    items = list(proforma.items.all())
    DocumentItem.objects.bulk_create([
        DocumentItem(document=invoice, position=i.position, description=i.description, quantity=i.quantity,
                     unit_price=i.unit_price, net=i.net, is_topup=i.is_topup, service_id=i.service_id,
                     period_start=i.period_start, period_end=i.period_end) for i in items])
    for item in items:
        if not item.is_topup and item.net > 0:
            entry_post(client_id=proforma.client_id, type=EntryType.CHARGE, net=-item.net, document_id=invoice.pk,
                       description=f"{item.description} ({invoice.number})", service_id=item.service_id,
                       period_start=item.period_start, period_end=item.period_end)
    proforma.status = DocumentStatus.INVOICED
    proforma.paid_date = paid_at
    proforma.related = invoice
    proforma.save(update_fields=["status", "paid_date", "related"])
    document_issued(invoice)
    audit_record(action="document.invoice", target=invoice, client_id=proforma.client_id,
                 changes={"number": [None, invoice.number], "proforma": [None, proforma.number]})
    publish(DocumentPaid(document_id=proforma.pk, client_id=proforma.client_id, number=proforma.number,
                         invoice_id=invoice.pk, invoice_number=invoice.number, currency=proforma.currency,
                         total=proforma.total))
    return invoice
