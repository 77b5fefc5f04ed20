"""Stripe's word that money of a payment made earlier went back (stripe_notifications.py): a refund
made in Stripe's dashboard (`charge.refunded`, whose charge adds up all its refunds), or a dispute
the payer's bank opened (`charge.dispute.created`) and how it closed (`charge.dispute.closed`:
won, lost, with Stripe's dispute fee its balance transactions carry). Read as a Notification
carrying a Reversal; payments/reversals.py records it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import DISPUTE_LOST, DISPUTE_OPENED, DISPUTE_WON, REFUNDED, Notification, NotVerified, Reversal
from .stripe_amounts import from_minor_units
from .stripe_client import stripe_id

# A dispute closed with one of these leaves the money with the seller (an inquiry that never became
# a chargeback closes as warning_closed); "lost" sends it to the payer.
KEPT = ("won", "warning_closed")
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)  # a refund without a readable time sorts first


def _when(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _refunds_listed(charge: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The charge's refunds, when the event carries them (older API versions, or expanded);
    failed or cancelled ones took nothing back."""
    refunds = charge.get("refunds")
    listed = refunds.get("data") if isinstance(refunds, Mapping) else None
    return [refund for refund in listed or () if isinstance(refund, Mapping)
            and refund.get("status") not in ("failed", "canceled")]


def _panel_key(refund: Mapping[str, Any]) -> str:
    """The panel's GatewayRefund id a refund it made carries (stripe_payments.refund_send), or ""."""
    metadata = refund.get("metadata")
    return str(metadata.get("clientpanel_refund") or "")[:64] if isinstance(metadata, Mapping) else ""


def _dispute_fee(dispute: Mapping[str, Any]) -> tuple[Decimal | None, str]:
    """Stripe's dispute fee kept from the seller, and its currency: the fees of the dispute's
    balance transactions (the withdrawal charges it; a reinstatement that gives it back carries it
    negative), in their currency (the Stripe account's, not always the payment's). (None, "") when
    the event lists none, lists them in more than one currency, or one is unreadable: a fee is
    recorded only as Stripe states it."""
    listed = dispute.get("balance_transactions")
    moves = [move for move in listed if isinstance(move, Mapping)] if isinstance(listed, list) else []
    currencies = {str(move.get("currency") or "").upper()[:3] for move in moves}
    if not moves or len(currencies) != 1 or "" in currencies:
        return None, ""
    currency = currencies.pop()
    try:
        fee = sum((from_minor_units(move.get("fee"), currency) for move in moves), Decimal(0))
    except NotVerified:  # a fee we cannot read is not made up; the dispute itself is still recorded
        return None, ""
    return (fee, currency) if fee > 0 else (None, "")


def reversal_read(event_id: str, kind: str, obj: Mapping[str, Any], event: Mapping[str, Any]) -> Notification | None:
    """A charge's refund or dispute as a Notification (its reference the payment's), or None for
    any other event, or a dispute that closed some other way."""
    currency = str(obj.get("currency") or "").upper()[:3]
    created = _when(event.get("created")) or dt.datetime.now(dt.UTC)
    if kind == "charge.refunded":
        charge, payment = stripe_id(obj.get("id")), stripe_id(obj.get("payment_intent"))
        listed = _refunds_listed(obj)
        made_here = {_panel_key(refund): stripe_id(refund.get("id")) for refund in listed if _panel_key(refund)}
        outside = [refund for refund in listed if not _panel_key(refund)]
        newest = max(outside, key=lambda refund: _when(refund.get("created")) or NEVER, default=None)
        reversal = Reversal(kind=REFUNDED, payment_ids=tuple(i for i in (charge, payment) if i),
                            amount=from_minor_units(obj.get("amount_refunded"), currency),
                            happened_at=(_when(newest.get("created")) if newest else None) or created,
                            external_id=stripe_id(newest.get("id")) if newest else charge,
                            made_here=made_here)
    elif kind in ("charge.dispute.created", "charge.dispute.closed"):
        status = str(obj.get("status") or "")
        if kind == "charge.dispute.closed" and status not in (*KEPT, "lost"):
            return None
        charge, payment = stripe_id(obj.get("charge")), stripe_id(obj.get("payment_intent"))
        opened = kind == "charge.dispute.created"
        # Only a closed dispute's fee is final: an open one's may still be given back.
        fee, fee_currency = (None, "") if opened else _dispute_fee(obj)
        reversal = Reversal(kind=DISPUTE_OPENED if opened else DISPUTE_WON if status in KEPT else DISPUTE_LOST,
                            payment_ids=tuple(i for i in (charge, payment) if i),
                            amount=from_minor_units(obj.get("amount"), currency),
                            happened_at=(_when(obj.get("created")) if opened else None) or created,
                            external_id=stripe_id(obj.get("id")), reason=str(obj.get("reason") or "")[:100],
                            fee=fee, fee_currency=fee_currency)
    else:
        return None
    if not reversal.payment_ids:
        raise NotVerified(f"{kind} {event_id} names no charge")
    return Notification(event_id=event_id, kind=kind[:40], reference=reversal.payment_ids[-1][:200],
                        transaction_id=reversal.payment_ids[0], amount=reversal.amount, currency=currency,
                        payload=dict(event), reversal=reversal)
