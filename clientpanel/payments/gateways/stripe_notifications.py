"""Stripe's webhooks (stripe_gateway.py): an event's signature checked with the endpoint's signing
secret by `stripe.Webhook.construct_event`, and the event read as a Notification — PaymentIntent
events from the test cards page and off-session charges, Checkout Session events from Stripe's
hosted page — with the card the payer asked to keep, if any; and a charge's refund or dispute made
at Stripe (stripe_reversals.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import stripe
from django.utils.translation import gettext as _

from . import FAILED, PENDING, SUCCEEDED, GatewayError, Notification, NotVerified
from .stripe_amounts import from_minor_units
from .stripe_client import StripeConfig, stripe_id
from .stripe_payments import KEEP_CARD
from .stripe_reversals import reversal_read


def notification_verify(body: bytes, headers: Mapping[str, str], *, account_id: int, settings: Mapping[str, Any],
                        gateway_title: str) -> Notification:
    """Check a webhook's signature and read it (StripeGateway.verify); NotVerified when it does not
    hold or cannot be read. gateway_title labels a kept card whose brand Stripe does not say."""
    try:
        config = StripeConfig(settings)
    except GatewayError as error:
        raise NotVerified(f"stripe account {account_id} is not set up: {error}") from None
    try:
        stripe.Webhook.construct_event(body, headers.get("Stripe-Signature", ""), config.webhook_secret)
        event = json.loads(body)
        event_id, kind, obj = str(event["id"])[:200], str(event["type"]), event["data"]["object"]
    except stripe.SignatureVerificationError as error:
        raise NotVerified(f"bad Stripe signature: {error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise NotVerified(f"unreadable Stripe event: {error}") from None
    return event_read(event_id, kind, obj, event, config, gateway_title=gateway_title)


def kept_method(obj: Mapping[str, Any], config: StripeConfig | None, *, gateway_title: str) -> tuple[str, str]:
    """The card a succeeded PaymentIntent asked to keep ("cus_…/pm_…") and its label
    ("Visa •••• 4242", read from Stripe), or ("", "") when the payer did not ask."""
    metadata = obj.get("metadata") or {}
    customer, method = stripe_id(obj.get("customer")), stripe_id(obj.get("payment_method"))
    if not isinstance(metadata, Mapping) or metadata.get(KEEP_CARD) != "1" or not customer or not method:
        return "", ""
    label = str(gateway_title)
    card: Any = obj["payment_method"].get("card") if isinstance(obj.get("payment_method"), Mapping) else None
    if card is None and config is not None:
        try:
            card = getattr(config.client().v1.payment_methods.retrieve(method), "card", None)
        except stripe.StripeError:
            card = None  # kept all the same, under the gateway's name
    if card is not None:
        brand = card.get("brand") if isinstance(card, Mapping) else getattr(card, "brand", None)
        last4 = card.get("last4") if isinstance(card, Mapping) else getattr(card, "last4", None)
        if brand and last4:
            label = f"{str(brand).replace('_', ' ').title()} •••• {last4}"
    return f"{customer}/{method}"[:200], label[:100]


def session_intent(session: Mapping[str, Any], config: StripeConfig | None) -> Mapping[str, Any]:
    """For a paid Checkout Session whose payer asked to keep the card: what `kept_method` reads
    of a PaymentIntent (the session names the intent; the card is on the intent, fetched here)."""
    metadata = session.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get(KEEP_CARD) != "1" or config is None:
        return {}
    intent: Any = session.get("payment_intent")
    if not isinstance(intent, Mapping) and stripe_id(intent):
        try:
            intent = config.client().v1.payment_intents.retrieve(stripe_id(intent))
        except stripe.StripeError:
            return {}  # paid all the same; the card is not kept and the payer may keep one next time
    def of_intent(name: str) -> Any:
        return intent.get(name) if isinstance(intent, Mapping) else getattr(intent, name, None)

    method, customer = of_intent("payment_method"), session.get("customer") or of_intent("customer")
    return {"metadata": {KEEP_CARD: "1"}, "customer": customer,
            "payment_method": method if isinstance(method, Mapping) else stripe_id(method)}


def event_read(event_id: str, kind: str, obj: Mapping[str, Any], event: dict, config: StripeConfig | None = None,
               *, gateway_title: str) -> Notification:
    """A verified event as a Notification: SUCCEEDED, FAILED or PENDING for the events of a payment,
    any other kind kept under its own name (stored, acted on by nothing)."""
    currency = str(obj.get("currency") or "").upper()[:3]

    def note(outcome: str, reference: Any, transaction: Any = "", amount: Any = None,
             error: str = "") -> Notification:
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        return Notification(event_id=event_id, kind=outcome, reference=stripe_id(reference)[:200],
                            transaction_id=stripe_id(transaction),
                            amount=None if amount is None else from_minor_units(amount, currency),
                            currency=currency, error=error[:300], payload=event,
                            attempt_id=str(metadata.get("clientpanel_attempt") or "")[:64])

    if kind.startswith("payment_intent."):
        if kind == "payment_intent.succeeded":
            succeeded = note(SUCCEEDED, obj.get("id"), obj.get("latest_charge") or obj.get("id"),
                             obj.get("amount_received") or obj.get("amount"))
            method, label = kept_method(obj, config, gateway_title=gateway_title)
            return replace(succeeded, saved_method=method, saved_method_label=label) if method else succeeded
        if kind == "payment_intent.payment_failed":
            reason = (obj.get("last_payment_error") or {}).get("message") or ""
            return note(FAILED, obj.get("id"), error=_("Stripe: %(reason)s") % {"reason": reason} if reason else "")
        if kind == "payment_intent.processing":
            return note(PENDING, obj.get("id"))
        if kind == "payment_intent.canceled":
            return note(FAILED, obj.get("id"), error=_("The payment was cancelled."))
    if kind.startswith("checkout.session."):
        paid = obj.get("payment_status") == "paid"
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded") and paid:
            succeeded = note(SUCCEEDED, obj.get("id"), obj.get("payment_intent") or obj.get("id"),
                             obj.get("amount_total"))
            method, label = kept_method(session_intent(obj, config), config, gateway_title=gateway_title)
            return replace(succeeded, saved_method=method, saved_method_label=label) if method else succeeded
        if kind == "checkout.session.completed":  # a bank debit: paid later, or not
            return note(PENDING, obj.get("id"))
        if kind == "checkout.session.async_payment_failed":
            return note(FAILED, obj.get("id"), error=_("The bank did not pay."))
        if kind == "checkout.session.expired":
            return note(FAILED, obj.get("id"), error=_("The payment page expired before the payment was made."))
    reversal = reversal_read(event_id, kind, obj, event)  # a refund made in Stripe's dashboard, a dispute
    if reversal is not None:
        return reversal
    # Verified but of no use here (customer.*, charge.refund.updated, …): stored and answered 200 so
    # Stripe stops resending it; its kind is none the services act on.
    reference = obj.get("payment_intent") or obj.get("id") or event_id
    return Notification(event_id=event_id, kind=kind[:40], reference=f"{kind}:{stripe_id(reference)}"[:200],
                        currency=currency, payload=event)
