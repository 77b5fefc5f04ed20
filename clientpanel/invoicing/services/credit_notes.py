"""Credit notes: refunding a net amount of a paid invoice with the invoice's own rates and home
company. Writes the credit note (negative amounts) and its item, a REFUND ledger entry (once per
transaction ID), an ADJUSTMENT entry reversing the charge of refunded items that are not top-ups,
and the invoice's refunded amount and status, with an audit event, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.clients.services.clients import lock_balance
from clientpanel.core.errors import FieldErrors, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.money import reader_amount
from clientpanel.ledger.descriptions import CHARGE_REVERSAL, REFUND, described
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import entry_by_transaction_id
from clientpanel.ledger.services import InsufficientFunds, TransactionIdUsed, entry_post

from .. import policies, rules
from ..calculations import TaxLine, credit_note_tax_lines, credit_note_totals
from ..events import DocumentRefunded
from ..models import Document, DocumentItem, DocumentStatus, DocumentType
from ..pricing import clean_positive_amount
from .common import DocumentStateError, clean_short_text, locked_document, tax_lines_json
from .issuing import document_derived, document_issued


@dataclass(frozen=True)
class CreditNoteOutcome:
    note: Document
    created: bool


REASON_MAX_LENGTH = 200


def credit_note_issue(*, actor: ActorLike, invoice_id, net_amount: object,
                      transaction_id: object = "", reason: object = "",
                      allow_over_limit: bool = False) -> CreditNoteOutcome:
    """Refund a net amount of a paid invoice, up to what is paid and not yet refunded, with the
    invoice's own rates and home company (never today's rules). Per rate the tax refunded never
    exceeds the tax invoiced, and the note that completes the refund takes exactly the rest. The
    credit note's amounts are negative; a REFUND entry posts −net / −gross; the invoice becomes
    (PARTIALLY_)REFUNDED. Refunding items that were charged when the invoice was paid (anything
    but top-ups) reverses their charge too, so the balance ends where it stood before they were
    bought: a note refunds charged items first, top-ups last. The top-ups it refunds leave the
    balance: they must fit in balance + credit limit (funds the client has spent since are not sent
    back twice) unless allow_over_limit, which the audit event records. The reason (one line, at
    most 200 characters, optional) is printed on the note beside the invoice it corrects."""
    require(policies.can_issue_credit_notes(as_actor(actor)), _("You are not allowed to issue credit notes."))
    errors = FieldErrors()
    transaction_id = clean_short_text(transaction_id, 100, "transaction_id", errors)
    reason = clean_short_text(reason, REASON_MAX_LENGTH, "reason", errors)
    errors.raise_if_any()
    with transaction.atomic():
        invoice = locked_document(actor, invoice_id)
        errors = FieldErrors()
        net = clean_positive_amount(net_amount, invoice.currency, errors, "net_amount")
        errors.raise_if_any()
        replay = _credit_note_replay(invoice, transaction_id, net)
        if replay is not None:
            return replay
        if not rules.can_be_credited(invoice):
            raise DocumentStateError(_("Credit notes refund paid invoices with net left to refund."),
                                     fields={"invoice": [invoice.status]})
        refundable = invoice.net - invoice.refunded_net
        if net > refundable:
            left = {"amount": reader_amount(refundable, invoice.currency)}
            raise ValidationFailed(_("At most %(amount)s net can still be refunded.") % left,
                                   fields={"net_amount": [_("At most %(amount)s net is left to refund.") % left]})
        earlier = list(invoice.derived.filter(type=DocumentType.CREDIT_NOTE).values_list("tax_lines", flat=True))
        invoiced = [TaxLine(t["name"], Decimal(t["rate"]), Decimal(t["amount"])) for t in invoice.tax_lines]
        refunded_before = [-sum((Decimal(lines[i]["amount"]) for lines in earlier if i < len(lines)), Decimal(0))
                           for i in range(len(invoiced))]
        lines = credit_note_tax_lines(invoiced=invoiced, refunded_net_after=invoice.refunded_net + net,
                                      invoice_net=invoice.net, refunded_tax_before=refunded_before,
                                      currency=invoice.currency)
        totals = credit_note_totals(net, lines)
        reversal = _charge_reversal(invoice, net)
        over = _top_ups_beyond_funds(invoice, net, reversal)
        if over and not allow_over_limit:
            raise over
        note = document_derived(invoice, actor=actor, doc_type=DocumentType.CREDIT_NOTE, status=DocumentStatus.REFUNDED,
                                net=totals.net, tax=totals.tax, total=totals.total,
                                tax_lines=tax_lines_json(totals.tax_lines), related=invoice, reason=reason)
        DocumentItem.objects.create(document=note, position=1, quantity=Decimal("1"), unit_price=-net, net=-net,
                                    description=f"{invoice.company_snapshot.get('refund_item_name') or 'Refund'} "
                                                f"({invoice.number})")
        entry, created = entry_post(client_id=invoice.client_id, type=EntryType.REFUND, net=-net, gross=totals.total,
                                    transaction_id=transaction_id, document_id=note.pk,
                                    **described(REFUND, note=note.number, invoice=invoice.number))
        if not created:
            raise TransactionIdUsed.by(entry, invoice.currency)
        if reversal > 0:
            entry_post(client_id=invoice.client_id, type=EntryType.ADJUSTMENT, net=reversal, document_id=note.pk,
                       **described(CHARGE_REVERSAL, note=note.number, invoice=invoice.number))
        invoice.refunded_net += net
        invoice.status = DocumentStatus.REFUNDED if invoice.refunded_net == invoice.net else \
            DocumentStatus.PARTIALLY_REFUNDED
        invoice.save(update_fields=["refunded_net", "status"])
        document_issued(note)
        publish(DocumentRefunded(document_id=invoice.pk, client_id=invoice.client_id, number=invoice.number,
                                 credit_note_id=note.pk, credit_note_number=note.number, currency=invoice.currency,
                                 refunded_total=-note.total, status=invoice.status))
        audit_record(action="document.credit_note", target=note, client_id=invoice.client_id,
                     changes={"number": [None, note.number], "invoice": [None, invoice.number],
                              "reason": [None, reason or None],
                              "net": [None, str(totals.net)], "charge_reversed": [None, str(reversal) if reversal
                                                                                    else None],
                              "credit_limit_override": [None, True] if over else [None, None]})
    return CreditNoteOutcome(note, created=True)


def _charge_reversal(invoice: Document, net: Decimal) -> Decimal:
    """How much of the invoice's charged items (not top-ups) this refund of `net` gives back: the
    charged part is refunded first, so a refund never takes from the balance what the client
    bought with it."""
    charged = sum((i.net for i in invoice.items.all() if not i.is_topup), Decimal(0))
    before = min(invoice.refunded_net, charged)
    return min(invoice.refunded_net + net, charged) - before


def _top_ups_beyond_funds(invoice: Document, net: Decimal, reversal: Decimal) -> InsufficientFunds | None:
    """The refusal of a refund of `net` whose top-ups (what the charge reversal does not give back)
    are funds the client no longer has — spent since on charges, so balance + credit limit do not
    cover them — or None when they fit. Locks the balance row first, as the REFUND's post does, so
    no post moves it between this check and that one."""
    top_ups = net - reversal
    if top_ups <= 0:
        return None
    lock_balance(invoice.client_id)
    client = Client.objects.select_related("balance_row").only(
        "credit_limit", "currency", "balance_row__balance").get(pk=invoice.client_id)
    funds = client.balance + client.credit_limit
    if funds >= top_ups:
        return None
    refundable = invoice.net - invoice.refunded_net
    most = min(refundable, _charge_reversal(invoice, refundable) + max(funds, Decimal(0)))
    currency = invoice.currency
    figures = {"amount": reader_amount(top_ups, currency), "balance": reader_amount(client.balance, currency),
               "credit_limit": reader_amount(client.credit_limit, currency), "most": reader_amount(most, currency)}
    return InsufficientFunds(
        _("Refunding %(amount)s of added funds takes them from the balance, and balance %(balance)s + credit limit "
          "%(credit_limit)s do not cover it: the client has spent them. Refund at most %(most)s net, or allow it "
          "beyond the credit limit (logged).") % figures,
        fields={"net_amount": [_("The client's funds allow at most %(most)s net now.") % figures]})


def _credit_note_replay(invoice: Document, transaction_id: str, net: Decimal) -> CreditNoteOutcome | None:
    if not transaction_id:
        return None
    entry = entry_by_transaction_id(client_id=invoice.client_id, transaction_id=transaction_id)
    if entry is None:
        return None
    note = Document.objects.filter(pk=entry.document_id, type=DocumentType.CREDIT_NOTE).first()
    if entry.type == EntryType.REFUND and note is not None and note.related_id == invoice.pk and -note.net == net:
        return CreditNoteOutcome(note, created=False)
    raise TransactionIdUsed.by(entry, invoice.currency)
