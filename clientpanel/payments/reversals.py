"""Refunds and disputes made at the gateway, outside the panel (a refund in Stripe's dashboard, a
chargeback the payer's bank opened): recorded on the payment they take from, once per notification,
audited, and told to staff — never applied to the books. SPEC keeps issued documents unchanged and
makes credit notes the only way money goes back, and a refund at the gateway may be recorded by a
credit note already; so staff decide (docs/decisions.md), helped by the warning the document's
page and the client's Transactions tab show until credit notes cover what went back
(selectors.reversal_notices)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Q

from clientpanel.audit.services import audit_record
from clientpanel.core.actor import Actor, acting_as
from clientpanel.core.events import publish

from .events import PaymentReversedAtGateway
from .gateways import REFUNDED, Notification
from .models import GatewayEvent, GatewayRefund, GatewayReversal, PaymentAttempt, RefundStatus, ReversalKind
from .selectors import sent_back_by_panel

log = logging.getLogger(__name__)


def reversal_record(gateway_key: str, note: Notification, event: GatewayEvent) -> tuple[PaymentAttempt | None, str]:
    """Record what the notification says went back of one of our payments (found by the gateway's
    ids of it we keep), inside notification_apply's transaction; answers the attempt and what was
    done, in words for the event's row. A refund is what the gateway's running total adds beyond
    the panel's own refunds (credit notes sent through the gateway: made here, never warned about)
    and the refunds recorded before; nothing beyond them records nothing."""
    found = note.reversal
    if found is None:
        raise ValueError("reversal_record takes a notification of a refund or dispute")
    attempt = (PaymentAttempt.objects.select_for_update().filter(gateway=gateway_key)
               .filter(Q(transaction_id__in=found.payment_ids) | Q(reference__in=found.payment_ids))
               .order_by("created_at").first())
    if attempt is None:
        return None, "unknown payment: nothing done"
    if note.currency != attempt.currency:
        log.error("%s %s of payment %s is in %s, the payment in %s", gateway_key, note.event_id, attempt.pk,
                  note.currency, attempt.currency)
        return attempt, f"{note.kind} in {note.currency}, the payment was in {attempt.currency}: nothing recorded"
    amount = found.amount
    if found.kind == REFUNDED:
        _confirm_made_here(attempt, found.made_here)
        amount = found.amount - sent_back_by_panel(attempt) - _refunded_recorded(attempt)
        if amount <= 0:
            return attempt, "refunds made from the panel or recorded before: nothing new"
    reversal = GatewayReversal.objects.create(
        attempt=attempt, event=event, kind=found.kind, amount=amount, currency=attempt.currency,
        external_id=found.external_id[:200], reason=found.reason[:100], happened_at=found.happened_at,
        fee=found.fee, fee_currency=found.fee_currency[:3] if found.fee is not None else "")
    with acting_as(Actor(label=f"{gateway_key} ({note.event_id})"[:300])):
        audit_record(action="payment_attempt.reversal", target=attempt, client_id=attempt.client_id,
                     object_label=f"{attempt.gateway} {attempt.amount} {attempt.currency}",
                     changes={"status": [None, found.kind], "amount": [None, str(amount)],
                              "currency": [None, attempt.currency],
                              "transaction_id": [None, reversal.external_id],
                              **({"reason": [None, reversal.reason]} if reversal.reason else {})})
    publish(PaymentReversedAtGateway(client_id=attempt.client_id, attempt_id=attempt.pk, reversal_id=reversal.pk))
    return attempt, f"{found.kind.lower()} recorded: {amount} {attempt.currency}"


def _confirm_made_here(attempt: PaymentAttempt, made_here: Mapping[str, str]) -> None:
    """Lock the payment's own refunds (a pending one, or a retry under way, is waited for) and take
    the gateway's word on those it names as made: a refund the panel kept as failed (the gateway's
    answer was lost) or still pending was made, so it is SUCCEEDED with the gateway's refund id —
    its credit note records money that went back, and staff are no longer offered a retry, nor
    tempted to refund another way again. A listed refund without an id is left as it is."""
    for refund in GatewayRefund.objects.select_for_update().filter(attempt=attempt).order_by("pk"):
        made = made_here.get(str(refund.pk), "")
        if made and refund.status != RefundStatus.SUCCEEDED:
            log.warning("%s lists refund %s (%s) the panel kept as %s: marked made", attempt.gateway, refund.pk,
                        made, refund.status)
            refund.status, refund.refund_id, refund.error = RefundStatus.SUCCEEDED, made[:200], ""
            refund.save(update_fields=["status", "refund_id", "error", "updated_at"])


def _refunded_recorded(attempt: PaymentAttempt) -> Decimal:
    return sum(GatewayReversal.objects.filter(attempt=attempt, kind=ReversalKind.REFUNDED)
               .values_list("amount", flat=True), Decimal(0))
