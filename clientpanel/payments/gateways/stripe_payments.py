"""Money moved through Stripe (stripe_gateway.py): a payment started on Stripe's hosted Checkout page
or as a PaymentIntent for the test cards page, a test card confirmed (and kept), a kept card charged
off-session (auto top-up) or with the payer at the page (Pay with …), and a refund made once per
idempotency key."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import stripe
from django.urls import reverse
from django.utils.translation import gettext as _

from . import FAILED, PENDING, SUCCEEDED, AttemptInfo, Checkout, GatewayError, GatewayUnanswered, Notification
from .stripe_amounts import from_minor_units, to_minor_units
from .stripe_client import TEST_CARDS, StripeConfig, gateway_error, is_live_key, stripe_id

CHECKOUT_EXPIRES_SECONDS = 3600  # an abandoned hosted page fails the attempt after an hour
# The test payment methods the test-cards page offers (Stripe's own, known to localstripe too).
TEST_CARDS_OFFERED = {"visa": "pm_card_visa", "declined": "pm_card_chargeCustomerFail"}
KEEP_CARD = "clientpanel_keep_card"  # in a PaymentIntent's metadata: the payer asked to keep the card

log = logging.getLogger(__name__)


def known_customer(*, client_id: Any, account_id: int) -> str:
    """The Stripe Customer of the client under this account, read from a card it keeps ("cus_…/pm_…"),
    or "" when it has none yet."""
    from ..models import SavedMethod  # the models import the gateways' registry

    for reference in SavedMethod.objects.filter(client_id=client_id, account_id=account_id,
                                                reference__startswith="cus_").values_list("reference", flat=True):
        customer, _sep, _method = reference.partition("/")
        if customer:
            return customer
    return ""


def checkout_start(attempt: AttemptInfo, *, return_url: str) -> Checkout:
    """Create the payment at Stripe: a Checkout Session (Stripe's page) or, for the test cards page,
    a PaymentIntent — the attempt's id its idempotency key either way."""
    config = StripeConfig(attempt.settings)
    amount = to_minor_units(attempt.amount, attempt.currency)
    metadata = {"clientpanel_attempt": attempt.attempt_id, "proformas": attempt.description[:500]}
    try:
        if config.checkout == TEST_CARDS:
            intent = config.client().v1.payment_intents.create(
                params={"amount": amount, "currency": attempt.currency.lower(), "metadata": metadata,
                        "payment_method_types": ["card"]},
                options={"idempotency_key": f"clientpanel-attempt-{attempt.attempt_id}"})
            return Checkout(redirect_url=reverse("portal:stripe-test-cards", args=[attempt.attempt_id]),
                            reference=intent.id)
        session = config.client().v1.checkout.sessions.create(
            params=checkout_session_params(attempt, amount, metadata, return_url),
            options={"idempotency_key": f"clientpanel-attempt-{attempt.attempt_id}"})
    except stripe.StripeError as error:
        raise gateway_error(error) from None
    if not session.url:
        raise GatewayError(_("Stripe gave no payment page for this payment."))
    return Checkout(redirect_url=session.url, reference=session.id)


def checkout_close(*, reference: str, settings: Mapping[str, Any]) -> None:
    """Expire a Checkout Session (its page then refuses the card), or cancel the test cards page's
    PaymentIntent; one already completed or expired is Stripe's to refuse (GatewayError)."""
    config = StripeConfig(settings)
    try:
        if reference.startswith("cs_"):
            config.client().v1.checkout.sessions.expire(reference)
        elif reference.startswith("pi_"):
            config.client().v1.payment_intents.cancel(reference)
    except stripe.StripeError as error:
        raise gateway_error(error) from None


def checkout_session_params(attempt: AttemptInfo, amount: int, metadata: dict, return_url: str) -> dict:
    """What a Checkout Session is created with; a payer who asked to keep the card gets it kept on
    the client's Stripe Customer (created by Stripe when the client has none yet)."""
    params: dict[str, Any] = {
        "mode": "payment", "success_url": return_url, "cancel_url": return_url,
        "client_reference_id": attempt.attempt_id, "metadata": metadata,
        "expires_at": int(time.time()) + CHECKOUT_EXPIRES_SECONDS,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": attempt.currency.lower(), "unit_amount": amount,
            "product_data": {"name": attempt.description[:250] or attempt.attempt_id}}}],
        "payment_intent_data": {"metadata": metadata, "description": attempt.description[:1000]},
    }
    customer = ""
    if attempt.keep_method:
        metadata = {**metadata, KEEP_CARD: "1"}
        params["metadata"] = metadata
        params["payment_intent_data"].update(metadata=metadata, setup_future_usage="off_session")
        customer = known_customer(client_id=attempt.client_id, account_id=attempt.account_id)
        if customer:
            params["customer"] = customer  # the client's other cards live there already
        else:
            params["customer_creation"] = "always"
    if attempt.client_email and not customer:  # Stripe takes one of the two
        params["customer_email"] = attempt.client_email
    return params


def confirm_with_test_card(*, settings: Mapping[str, Any], reference: str, card: str, keep: bool = False,
                           client_id: Any = None, account_id: int | None = None, email: str = "") -> str:
    """The test cards page: confirm the PaymentIntent server-side with one of Stripe's test
    payment methods. Answers its status; a declined card raises GatewayError (and Stripe sends
    payment_intent.payment_failed, which fails the attempt). `keep`: attach the card to the
    client's Stripe Customer (created on first use) so that it can be charged later."""
    config = StripeConfig(settings)
    if config.checkout != TEST_CARDS or is_live_key(config.secret_key):
        raise GatewayError(_("The test cards page is off for this Stripe account."))
    if card not in TEST_CARDS_OFFERED:
        raise GatewayError(_("Choose one of the test cards."))
    client = config.client()
    params: dict[str, Any] = {"payment_method": TEST_CARDS_OFFERED[card]}
    try:
        if keep:
            if client_id is None or account_id is None:
                raise GatewayError(_("Only a client's own payment can keep its card."))
            customer = known_customer(client_id=client_id, account_id=account_id) or client.v1.customers.create(
                params={"metadata": {"clientpanel_client": str(client_id)}, **({"email": email} if email else {})},
                options={"idempotency_key": f"clientpanel-customer-{reference}"}).id
            # Attaching one of Stripe's test methods makes a new one of the customer's (its own id).
            method = client.v1.payment_methods.attach(TEST_CARDS_OFFERED[card], params={"customer": customer})
            params = {"payment_method": method.id, "customer": customer, "metadata": {KEEP_CARD: "1"}}
            if not config.api_base:  # Stripe itself; localstripe refuses the parameter
                params["setup_future_usage"] = "off_session"
        # Two calls, not confirm(payment_method=…): localstripe implements only this form.
        client.v1.payment_intents.update(reference, params=params)
        return str(client.v1.payment_intents.confirm(reference).status)
    except stripe.StripeError as error:
        raise gateway_error(error) from None


def saved_card_charge(attempt: AttemptInfo, *, method_reference: str) -> Notification:
    """Charge a kept card ("cus_…/pm_…"), off-session unless the payer is at the page: a
    PaymentIntent created and confirmed at once, the attempt's id its idempotency key. A decline, a
    bank asking for the card holder, or any refusal answers FAILED with the reason. Stripe out of
    reach, or failing on its side, raises GatewayUnanswered: the card may have been charged, so the
    attempt stays pending and is never charged again as a new try. Stripe's own webhook for the same
    payment changes nothing."""
    config = StripeConfig(attempt.settings)
    customer, _sep, method = method_reference.partition("/")
    if not customer.startswith("cus_") or not method:
        raise GatewayError(_("This saved card was not kept by Stripe."))
    event_id = f"charge_{attempt.attempt_id}"

    # The bank asks the card holder to confirm (3-D Secure): a payer at the page confirms through
    # Checkout (Pay now); an absent one cannot.
    confirm_asked = (_("Your bank asks you to confirm this payment: use Pay now to pay through the payment "
                       "page.") if attempt.payer_present else
                     _("The bank asks the card holder to confirm this payment, so it cannot be charged while they "
                       "are away."))

    def failed(reason: str, reference: str = "") -> Notification:
        return Notification(event_id=event_id, kind=FAILED,
                            reference=reference or f"stripe_charge_{attempt.attempt_id}",
                            amount=attempt.amount, currency=attempt.currency, error=reason[:300])

    try:
        intent = config.client().v1.payment_intents.create(
            params={"amount": to_minor_units(attempt.amount, attempt.currency),
                    "currency": attempt.currency.lower(), "customer": customer, "payment_method": method,
                    "off_session": not attempt.payer_present, "confirm": True, "payment_method_types": ["card"],
                    "metadata": {"clientpanel_attempt": attempt.attempt_id,
                                 "proformas": attempt.description[:500]}},
            options={"idempotency_key": f"clientpanel-attempt-{attempt.attempt_id}"})
    except (stripe.APIConnectionError, stripe.APIError) as error:
        # No answer, or Stripe's own failure (5xx): the card may have been charged — not a decline.
        raise GatewayUnanswered(str(gateway_error(error))) from None
    except stripe.StripeError as error:
        details = getattr(error, "error", None)
        intent_id = stripe_id(getattr(details, "payment_intent", None)) if details is not None else ""
        if getattr(error, "code", None) == "authentication_required":
            return failed(confirm_asked, intent_id)
        return failed(str(gateway_error(error)), intent_id)
    status = str(getattr(intent, "status", ""))
    if status == "succeeded":
        currency = str(getattr(intent, "currency", "") or attempt.currency).upper()
        received = getattr(intent, "amount_received", None) or getattr(intent, "amount", None)
        return Notification(event_id=event_id, kind=SUCCEEDED, reference=str(intent.id),
                            transaction_id=stripe_id(getattr(intent, "latest_charge", None)) or str(intent.id),
                            amount=from_minor_units(received, currency) if received else attempt.amount,
                            currency=currency)
    if status == "processing":
        return Notification(event_id=event_id, kind=PENDING, reference=str(intent.id),
                            amount=attempt.amount, currency=attempt.currency)
    if status == "requires_action":
        _cancel_quietly(config, str(intent.id))  # never confirmed later: the attempt has failed
        return failed(confirm_asked, str(intent.id))
    error = getattr(intent, "last_payment_error", None)
    return failed(_("Stripe: %(reason)s") % {"reason": getattr(error, "message", None) or status},
                  str(intent.id))


def _cancel_quietly(config: StripeConfig, intent_id: str) -> None:
    try:
        config.client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError:  # it expires unconfirmed all the same
        log.warning("Stripe did not cancel the unconfirmed payment %s", intent_id, exc_info=True)


def refund_send(*, transaction_id: str, amount: Decimal, currency: str, idempotency_key: str,
                settings: Mapping[str, Any]) -> str:
    """Refund through Stripe the payment `transaction_id` (a charge or PaymentIntent id; the
    "/2" a payment of several proformas adds is dropped). Stripe keeps an idempotency key for
    24 hours only, so the payment's refunds are read first: one made under this key (our
    request reached Stripe, its answer did not reach us) is answered, never made again."""
    config = StripeConfig(settings)
    payment = transaction_id.split("/", 1)[0]
    if not payment.startswith(("ch_", "pi_", "py_")):
        raise GatewayError(_("%(id)s is not a Stripe payment.") % {"id": payment or "?"})
    params: dict[str, Any] = {"amount": to_minor_units(amount, currency),
                              "metadata": {"clientpanel_refund": idempotency_key[:500]}}
    of_payment = {"payment_intent" if payment.startswith("pi_") else "charge": payment}
    params.update(of_payment)
    client = config.client()
    try:
        for made in client.v1.refunds.list(params={**of_payment, "limit": 100}).data:
            made_for = (made.to_dict().get("metadata") or {}).get("clientpanel_refund")
            if made_for == params["metadata"]["clientpanel_refund"] and made.status not in ("failed", "canceled"):
                return str(made.id)
        refund = client.v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise gateway_error(error) from None
    if refund.status in ("failed", "canceled"):
        raise GatewayError(_("Stripe did not refund: %(reason)s") % {
            "reason": getattr(refund, "failure_reason", None) or refund.status})
    return str(refund.id)
