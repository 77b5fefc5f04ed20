"""Stripe (issue 15), through its official Python SDK.

A payment is a PaymentIntent in the currency's minor units, created with the attempt's id as its
idempotency key, so a retried start never charges twice. Where the payer goes depends on the
account's `checkout` setting:

- "stripe" (the default, and the only one with live keys): a Stripe Checkout Session — Stripe's own
  hosted page collects the card (the portal loads nothing from a CDN, so it cannot host Stripe.js,
  and card numbers must never reach this server). The attempt's reference is the session's id:
  Stripe creates the PaymentIntent only when the payer confirms, and says so in the
  `checkout.session.*` events.
- "test_cards" (test keys only, and always against localstripe): a portal page where the tester
  picks one of Stripe's test payment methods (pm_card_visa, pm_card_chargeCustomerFail) and the
  server confirms the PaymentIntent with it — no card data involved; the reference is the
  PaymentIntent's id and the `payment_intent.*` events tell what happened.

On Stripe's hosted page the payer says before leaving the portal whether to keep the card (a
checkbox on the portal's pay page: `keep_asked_before_start`); the Checkout Session then carries the
client's Stripe Customer (or creates one), `setup_future_usage="off_session"` and `clientpanel_keep_card`,
and its completed webhook names the card to keep (read from the PaymentIntent it made).

A payer on the test cards page may also keep the card ("Pay and keep the card"): the card is attached
to a Stripe Customer of the client (created on first use; its id travels in the kept method's
reference, "cus_…/pm_…", so no other place holds it) and the PaymentIntent carries the customer and
`clientpanel_keep_card` in its metadata (and `setup_future_usage="off_session"` at Stripe itself —
localstripe refuses the parameter). The succeeded webhook then names the method to keep, labelled
from the card's brand and last digits. `charge_saved` charges it later off-session (auto top-up).

Either way the outcome arrives as a webhook, verified with the endpoint's signing secret by
`stripe.Webhook.construct_event`, and goes through the same `notification_receive` as any gateway.
Secrets come from the environment only: the account's settings name the variables
(`secret_key_env`, `webhook_secret_env`); a setting that looks like a secret itself is refused.
`api_base` points the SDK at localstripe and must be a loopback address, so that a key is never
sent anywhere but Stripe or this machine.

This module registers the gateway; the work is done in stripe_client.py (settings, secrets, the SDK's
client, errors), stripe_amounts.py (minor units), stripe_payments.py (checkout, test cards, saved
cards, refunds) and stripe_notifications.py (webhooks verified and read).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from . import AttemptInfo, Checkout, Gateway, Notification, register
from .stripe_client import HOSTED, SETTINGS, TEST_CARDS, settings_errors
from .stripe_notifications import notification_verify
from .stripe_payments import checkout_close, checkout_start, confirm_with_test_card, refund_send, saved_card_charge


@register
class StripeGateway(Gateway):
    key = "stripe"
    title = gettext_lazy("Card (Stripe)")
    settings_names = frozenset(SETTINGS)
    brand = "Stripe"
    refunds = True
    saves_methods = True

    def validate_settings(self, settings: Mapping[str, Any]) -> dict[str, list[str]]:
        return settings_errors(settings)

    # --- paying ----------------------------------------------------------------------------------

    def keep_asked_before_start(self, settings: Mapping[str, Any]) -> bool:
        # Stripe's hosted page keeps a card only when the session asks it to; the test cards page asks itself.
        return (settings.get("checkout") or (TEST_CARDS if settings.get("api_base") else HOSTED)) == HOSTED

    def start(self, attempt: AttemptInfo, *, return_url: str) -> Checkout:
        return checkout_start(attempt, return_url=return_url)

    def confirm_with_test_card(self, *, settings: Mapping[str, Any], reference: str, card: str, keep: bool = False,
                               client_id: Any = None, account_id: int | None = None, email: str = "") -> str:
        """The test cards page's payment confirmed with one of Stripe's test cards (stripe_payments.py)."""
        return confirm_with_test_card(settings=settings, reference=reference, card=card, keep=keep,
                                      client_id=client_id, account_id=account_id, email=email)

    def close_checkout(self, *, reference: str, settings: Mapping[str, Any]) -> None:
        checkout_close(reference=reference, settings=settings)

    # --- saved cards (auto top-up) ---------------------------------------------------------------

    def charge_saved(self, attempt: AttemptInfo, *, method_reference: str) -> Notification:
        return saved_card_charge(attempt, method_reference=method_reference)

    # --- webhooks --------------------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str], *, account_id: int,
               settings: Mapping[str, Any]) -> Notification:
        return notification_verify(body, headers, account_id=account_id, settings=settings,
                                   gateway_title=str(self.title))

    # --- refunds ---------------------------------------------------------------------------------

    def refund(self, *, transaction_id: str, amount: Decimal, currency: str, idempotency_key: str,
               account_id: int, settings: Mapping[str, Any]) -> str:
        return refund_send(transaction_id=transaction_id, amount=amount, currency=currency,
                           idempotency_key=idempotency_key, settings=settings)
