"""Refunds through the gateway that took the payment (issue 15, item 5): staff issuing a credit note
for an invoice paid online may send the money back to the payer's card at once. The credit note is
issued first (the books say what is owed back); the gateway is asked after the commit, with the
refund row's id as its idempotency key — a failure is kept with its reason and retried by staff,
and a retry never refunds twice."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import Conflict, NotFound, require
from clientpanel.core.money import display_amount
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.policies import can_issue_credit_notes
from clientpanel.invoicing.selectors import documents_visible_to
from clientpanel.invoicing.services import credit_note_issue

from .gateways import GatewayError, get_gateway
from .models import AttemptDocument, AttemptStatus, GatewayRefund, GatewayReversal, PaymentAttempt, RefundStatus
from .selectors import account_of, sent_back_by_panel, went_back_for_good

log = logging.getLogger(__name__)


def refundable_attempt(invoice: Document) -> PaymentAttempt | None:
    """The online payment that paid this invoice's proforma, when its gateway can send money back."""
    if invoice.type != DocumentType.INVOICE:
        return None
    part = (AttemptDocument.objects.filter(document__related_id=invoice.pk, document__type=DocumentType.PROFORMA,
                                           attempt__status=AttemptStatus.SUCCEEDED)
            .select_related("attempt").first())
    if part is None:
        return None
    try:
        return part.attempt if get_gateway(part.attempt.gateway).refunds else None
    except GatewayError:
        return None


def credit_note_with_gateway_refund(*, actor: ActorLike, invoice_id, net_amount: object, reason: object = "",
                                    transaction_id: object = "", allow_over_limit: bool = False):
    """Issue a credit note for an invoice paid online and send its total back through the gateway.
    Answers the credit note's outcome and the refund (SUCCEEDED, or FAILED with the reason). With a
    transaction id, sending the same request again answers the first credit note and its refund
    (invoicing's replay), never a second refund. At most what the payment took for the invoice's
    proforma goes back, less what earlier credit notes sent back and what went back at the gateway
    itself (a refund made in its dashboard, a dispute lost)."""
    actor = as_actor(actor)
    require(can_issue_credit_notes(actor), _("You are not allowed to issue credit notes."))
    invoice = documents_visible_to(actor).filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Document not found."))
    attempt = refundable_attempt(invoice)
    if attempt is None:
        raise Conflict(_("This invoice was not paid through a gateway that can send money back; issue the credit "
                         "note and refund the payer another way."))
    given = str(transaction_id or "").strip()
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"clientpanel:refund:{invoice.pk}:{given}") if given else uuid.uuid4()
    with transaction.atomic():
        outcome = credit_note_issue(actor=actor, invoice_id=invoice.pk, net_amount=net_amount, reason=reason,
                                    transaction_id=given or f"gateway-refund:{key}", allow_over_limit=allow_over_limit)
        refund = GatewayRefund.objects.filter(credit_note=outcome.note).first()
        if refund is None:
            taken = AttemptDocument.objects.get(attempt=attempt, document__related_id=invoice.pk).amount
            sent = taken - _room_at_gateway(attempt, invoice, taken)
            if -outcome.note.total > taken - sent:
                raise Conflict(_("The payment took %(taken)s for this invoice and %(sent)s went back already; "
                                 "refund the rest another way.") % {
                    "taken": display_amount(taken, invoice.currency), "sent": display_amount(sent, invoice.currency)})
            refund = GatewayRefund.objects.create(id=key, attempt=attempt, credit_note=outcome.note,
                                                  amount=-outcome.note.total, currency=outcome.note.currency,
                                                  created_by_label=actor.label[:300])
    return outcome, gateway_refund_send(refund_id=refund.pk)


def _room_at_gateway(attempt: PaymentAttempt, invoice: Document, taken: Decimal) -> Decimal:
    """What of the payment's part for this invoice the gateway may still send back: what it took,
    less the panel's refunds of it — and never more than the whole payment has left (_payment_left).
    The payment's row is locked, so a refund notification being recorded is waited for."""
    PaymentAttempt.objects.select_for_update().filter(pk=attempt.pk).first()
    return max(min(taken - sent_back_by_panel(attempt, invoice=invoice), _payment_left(attempt)), Decimal(0))


def _payment_left(attempt: PaymentAttempt, *, excluding: GatewayRefund | None = None) -> Decimal:
    """What the payment has left to send back: what it took, less the panel's refunds (but
    `excluding`) and what went back at the gateway itself — a refund made in its dashboard, a
    dispute lost (selectors.went_back_for_good) — or the payer gets the same money twice."""
    reversals = list(GatewayReversal.objects.filter(attempt=attempt).order_by("happened_at", "recorded_at"))
    at_gateway, _beyond = went_back_for_good(attempt, reversals)
    sent = sent_back_by_panel(attempt)
    if excluding is not None and excluding.status != RefundStatus.FAILED:
        sent -= excluding.amount
    return attempt.amount - sent - at_gateway


def gateway_refund_send(*, refund_id, actor: ActorLike | None = None) -> GatewayRefund:
    """Ask the gateway for a pending or failed refund (again); one already made is answered as it is."""
    if actor is not None:
        require(can_issue_credit_notes(as_actor(actor)), _("You are not allowed to issue credit notes."))
    with transaction.atomic():
        attempt_id = GatewayRefund.objects.filter(pk=refund_id).values_list("attempt_id", flat=True).first()
        if attempt_id is None:
            raise NotFound(_("No such refund."))
        # The payment first, then its refund: the order a refund notification locks them in
        # (reversals.reversal_record). The refund's lock makes a second send (a retry clicked while
        # the first waits for the gateway) wait for the first and then find it done: one request to
        # the gateway at a time.
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        refund = GatewayRefund.objects.select_for_update().get(pk=refund_id)
        refund.attempt = attempt
        if refund.status != RefundStatus.SUCCEEDED:
            left = _payment_left(attempt, excluding=refund)
            if refund.amount > left:
                # Sent back at the gateway meanwhile (staff refunded there after this one failed).
                _keep(refund, RefundStatus.FAILED, error=_(
                    "Nothing was sent: only %(left)s of this payment is left to send back, the rest went back "
                    "already (a refund made at the gateway itself, a dispute lost).") % {
                    "left": display_amount(max(left, Decimal(0)), refund.currency)})
            else:
                _send(refund)
    return refund


def _send(refund: GatewayRefund) -> None:
    attempt = refund.attempt
    account = account_of(attempt)
    try:
        if account is None:
            raise GatewayError(_("The home company no longer has the gateway %(gateway)s.") % {
                "gateway": attempt.gateway})
        made = get_gateway(attempt.gateway).refund(
            transaction_id=attempt.transaction_id or attempt.reference, amount=refund.amount,
            currency=refund.currency, idempotency_key=str(refund.pk), account_id=account.pk,
            settings=account.settings)
    except GatewayError as error:
        _keep(refund, RefundStatus.FAILED, error=str(error))
    except Exception as error:  # a timeout or a gateway's bug: kept for staff to retry
        log.exception("gateway %s failed to refund %s", attempt.gateway, refund.pk)
        _keep(refund, RefundStatus.FAILED, error=_("The payment service did not answer: %(reason)s") % {
            "reason": type(error).__name__})
    else:
        _keep(refund, RefundStatus.SUCCEEDED, refund_id=str(made)[:200], error="")


def _keep(refund: GatewayRefund, status: str, **fields) -> None:
    refund.status = status
    for name, value in fields.items():
        setattr(refund, name, value[:500] if name == "error" else value)
    refund.save(update_fields=["status", *fields, "updated_at"])
