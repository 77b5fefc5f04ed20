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
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import (
    FAILED,
    PENDING,
    SUCCEEDED,
    AttemptInfo,
    Checkout,
    Gateway,
    GatewayError,
    Notification,
    NotVerified,
    register,
)

TIMEOUT_SECONDS = 10  # a payer waits on the page: Stripe answers in well under a second
NETWORK_RETRIES = 1  # the SDK retries a request only with the same idempotency key: never twice charged
CHECKOUT_EXPIRES_SECONDS = 3600  # an abandoned hosted page fails the attempt after an hour
HOSTED, TEST_CARDS = "stripe", "test_cards"
SETTINGS = {"secret_key_env", "webhook_secret_env", "api_base", "checkout"}
# The test payment methods the test-cards page offers (Stripe's own, known to localstripe too).
TEST_CARDS_OFFERED = {"visa": "pm_card_visa", "declined": "pm_card_chargeCustomerFail"}
KEEP_CARD = "clientpanel_keep_card"  # in a PaymentIntent's metadata: the payer asked to keep the card

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
SECRET_LOOKING = re.compile(r"(sk|rk)_(test|live)_|whsec_", re.IGNORECASE)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Stripe's minor units differ from ISO 4217 for some currencies (docs.stripe.com/currencies):
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}  # sent with 3 decimals, the last one 0
WHOLE_IN_TWO_DECIMALS = {"ISK"}  # zero-decimal, but sent as two-decimal amounts ending in 00


def exponent(currency: str) -> int:
    currency = currency.upper()
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The integer Stripe expects for `amount` ("12.50" USD → 1250; "1200" JPY → 1200). A fraction
    of what the currency can carry is refused, never rounded: the payer pays what the proformas say."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise GatewayError(_("Stripe takes only positive amounts."))
    currency = currency.upper()
    scaled = amount.scaleb(exponent(currency))
    step = 10 if currency in THREE_DECIMAL else 100 if currency in WHOLE_IN_TWO_DECIMALS else 1
    if scaled != scaled.to_integral_value() or int(scaled) % step:
        raise GatewayError(_("%(amount)s %(currency)s cannot be paid through Stripe: it is not a whole number of "
                             "the currency's smallest unit.") % {"amount": amount, "currency": currency})
    return int(scaled)


def from_minor_units(value: Any, currency: str) -> Decimal:
    try:
        return Decimal(int(value)).scaleb(-exponent(currency))
    except (TypeError, ValueError, InvalidOperation):
        raise NotVerified(f"unreadable amount {value!r}") from None


def _secret_looking(value: Any) -> bool:
    if isinstance(value, str):
        return bool(SECRET_LOOKING.search(value))
    if isinstance(value, Mapping):
        return any(_secret_looking(k) or _secret_looking(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_secret_looking(v) for v in value)
    return False


def _is_live(key: str) -> bool:
    return key.startswith(("sk_live_", "rk_live_"))


def masked(secret: str) -> str:
    """What a page may show of a secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"


class _Config:
    def __init__(self, settings: Mapping[str, Any]):
        errors = StripeGateway().validate_settings(settings)
        if errors:
            raise GatewayError(_("Stripe is not set up correctly: %(errors)s") % {
                "errors": " ".join(m for messages in errors.values() for m in messages)})
        self.secret_key = os.environ[settings["secret_key_env"]]
        self.webhook_secret = os.environ[settings["webhook_secret_env"]]
        self.api_base = str(settings.get("api_base") or "")
        self.checkout = str(settings.get("checkout") or (TEST_CARDS if self.api_base else HOSTED))

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            self.secret_key, base_addresses={"api": self.api_base} if self.api_base else None,
            max_network_retries=NETWORK_RETRIES, http_client=http_client())


def http_client() -> stripe.HTTPClient:
    """The SDK's HTTP client with a short timeout (tests replace this to answer without a network)."""
    return stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


def _gateway_error(error: stripe.StripeError) -> GatewayError:
    """A Stripe error in words for the payer (a declined card) or for staff (keys, set-up)."""
    if isinstance(error, stripe.CardError):
        return GatewayError(_("The card was declined: %(reason)s") % {
            "reason": error.user_message or _("no reason given")})
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return GatewayError(_("Stripe refused this shop's key; staff must check the Stripe settings."))
    if isinstance(error, stripe.APIConnectionError):
        return GatewayError(_("Stripe did not answer in time; try again in a few minutes."))
    return GatewayError(_("Stripe refused the request: %(reason)s") % {
        "reason": error.user_message or error.code or type(error).__name__})


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


def _id(value: Any) -> str:
    """An id Stripe sends either as a string or as the expanded object (localstripe expands)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    elif isinstance(value, stripe.StripeObject):  # the SDK's answer
        value = getattr(value, "id", None)
    return str(value or "")[:100]


@register
class StripeGateway(Gateway):
    key = "stripe"
    title = gettext_lazy("Card (Stripe)")
    refunds = True

    def validate_settings(self, settings: Mapping[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if _secret_looking(settings):
            add("settings", _("A Stripe secret must never be stored here: put it in the server's environment and "
                              "name the variable."))
            return errors
        for name in sorted(set(settings) - SETTINGS):
            add(name, _("Stripe has no setting named %(name)s.") % {"name": name})
        for name in ("secret_key_env", "webhook_secret_env"):
            variable = settings.get(name)
            if not isinstance(variable, str) or not ENV_NAME.match(variable):
                add(name, _("Name the environment variable holding it, in capitals (e.g. STRIPE_SECRET_KEY)."))
            elif not os.environ.get(variable):
                add(name, _("The environment variable %(name)s is not set on this server.") % {"name": variable})
        api_base = settings.get("api_base") or ""
        if api_base and (not isinstance(api_base, str) or urlsplit(api_base).scheme not in ("http", "https")
                         or urlsplit(api_base).hostname not in LOOPBACK_HOSTS):
            add("api_base", _("Only a Stripe emulator on this machine (http://127.0.0.1:…) may replace Stripe's "
                              "address."))
        checkout = settings.get("checkout") or (TEST_CARDS if api_base else HOSTED)
        if checkout not in (HOSTED, TEST_CARDS):
            add("checkout", _("Choose stripe (Stripe's payment page) or test_cards."))
        elif checkout == TEST_CARDS:
            key = os.environ.get(str(settings.get("secret_key_env") or ""), "")
            if _is_live(key):
                add("checkout", _("The test cards page takes test keys only."))
        elif api_base:
            add("checkout", _("A Stripe emulator has no payment page: use test_cards with it."))
        return errors

    # --- paying ----------------------------------------------------------------------------------

    def keep_asked_before_start(self, settings: Mapping[str, Any]) -> bool:
        # Stripe's hosted page keeps a card only when the session asks it to; the test cards page asks itself.
        return (settings.get("checkout") or (TEST_CARDS if settings.get("api_base") else HOSTED)) == HOSTED

    def start(self, attempt: AttemptInfo, *, return_url: str) -> Checkout:
        config = _Config(attempt.settings)
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
                params=self._session_params(attempt, amount, metadata, return_url),
                options={"idempotency_key": f"clientpanel-attempt-{attempt.attempt_id}"})
        except stripe.StripeError as error:
            raise _gateway_error(error) from None
        if not session.url:
            raise GatewayError(_("Stripe gave no payment page for this payment."))
        return Checkout(redirect_url=session.url, reference=session.id)

    @staticmethod
    def _session_params(attempt: AttemptInfo, amount: int, metadata: dict, return_url: str) -> dict:
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

    def confirm_with_test_card(self, *, settings: Mapping[str, Any], reference: str, card: str, keep: bool = False,
                               client_id: Any = None, account_id: int | None = None, email: str = "") -> str:
        """The test cards page: confirm the PaymentIntent server-side with one of Stripe's test
        payment methods. Answers its status; a declined card raises GatewayError (and Stripe sends
        payment_intent.payment_failed, which fails the attempt). `keep`: attach the card to the
        client's Stripe Customer (created on first use) so that it can be charged later."""
        config = _Config(settings)
        if config.checkout != TEST_CARDS or _is_live(config.secret_key):
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
            raise _gateway_error(error) from None

    # --- saved cards (auto top-up) ---------------------------------------------------------------

    saves_methods = True

    def charge_saved(self, attempt: AttemptInfo, *, method_reference: str) -> Notification:
        """Charge a kept card ("cus_…/pm_…") off-session: a PaymentIntent created and confirmed at
        once, the attempt's id its idempotency key. A decline, a bank asking for the card holder, or
        any refusal answers FAILED with the reason; Stripe out of reach raises (no answer: the job
        counts it as a declined try). Stripe's own webhook for the same payment changes nothing."""
        config = _Config(attempt.settings)
        customer, _sep, method = method_reference.partition("/")
        if not customer.startswith("cus_") or not method:
            raise GatewayError(_("This saved card was not kept by Stripe."))
        event_id = f"charge_{attempt.attempt_id}"

        def failed(reason: str, reference: str = "") -> Notification:
            return Notification(event_id=event_id, kind=FAILED,
                                reference=reference or f"stripe_charge_{attempt.attempt_id}",
                                amount=attempt.amount, currency=attempt.currency, error=reason[:300])

        try:
            intent = config.client().v1.payment_intents.create(
                params={"amount": to_minor_units(attempt.amount, attempt.currency),
                        "currency": attempt.currency.lower(), "customer": customer, "payment_method": method,
                        "off_session": True, "confirm": True, "payment_method_types": ["card"],
                        "metadata": {"clientpanel_attempt": attempt.attempt_id,
                                     "proformas": attempt.description[:500]}},
                options={"idempotency_key": f"clientpanel-attempt-{attempt.attempt_id}"})
        except stripe.APIConnectionError as error:
            raise _gateway_error(error) from None
        except stripe.StripeError as error:
            details = getattr(error, "error", None)
            intent_id = _id(getattr(details, "payment_intent", None)) if details is not None else ""
            if getattr(error, "code", None) == "authentication_required":
                return failed(_("The bank asks the card holder to confirm this payment, so it cannot be "
                                "charged while they are away."), intent_id)
            return failed(str(_gateway_error(error)), intent_id)
        status = str(getattr(intent, "status", ""))
        if status == "succeeded":
            currency = str(getattr(intent, "currency", "") or attempt.currency).upper()
            received = getattr(intent, "amount_received", None) or getattr(intent, "amount", None)
            return Notification(event_id=event_id, kind=SUCCEEDED, reference=str(intent.id),
                                transaction_id=_id(getattr(intent, "latest_charge", None)) or str(intent.id),
                                amount=from_minor_units(received, currency) if received else attempt.amount,
                                currency=currency)
        if status == "processing":
            return Notification(event_id=event_id, kind=PENDING, reference=str(intent.id),
                                amount=attempt.amount, currency=attempt.currency)
        if status == "requires_action":
            return failed(_("The bank asks the card holder to confirm this payment, so it cannot be "
                            "charged while they are away."), str(intent.id))
        error = getattr(intent, "last_payment_error", None)
        return failed(_("Stripe: %(reason)s") % {"reason": getattr(error, "message", None) or status},
                      str(intent.id))

    # --- webhooks --------------------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str], *, account_id: int,
               settings: Mapping[str, Any]) -> Notification:
        try:
            config = _Config(settings)
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
        return self._read(event_id, kind, obj, event, config)

    def _kept_method(self, obj: Mapping[str, Any], config: _Config | None) -> tuple[str, str]:
        """The card a succeeded PaymentIntent asked to keep ("cus_…/pm_…") and its label
        ("Visa •••• 4242", read from Stripe), or ("", "") when the payer did not ask."""
        metadata = obj.get("metadata") or {}
        customer, method = _id(obj.get("customer")), _id(obj.get("payment_method"))
        if not isinstance(metadata, Mapping) or metadata.get(KEEP_CARD) != "1" or not customer or not method:
            return "", ""
        label = str(self.title)
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

    @staticmethod
    def _session_intent(session: Mapping[str, Any], config: _Config | None) -> Mapping[str, Any]:
        """For a paid Checkout Session whose payer asked to keep the card: what `_kept_method` reads
        of a PaymentIntent (the session names the intent; the card is on the intent, fetched here)."""
        metadata = session.get("metadata")
        if not isinstance(metadata, Mapping) or metadata.get(KEEP_CARD) != "1" or config is None:
            return {}
        intent: Any = session.get("payment_intent")
        if not isinstance(intent, Mapping) and _id(intent):
            try:
                intent = config.client().v1.payment_intents.retrieve(_id(intent))
            except stripe.StripeError:
                return {}  # paid all the same; the card is not kept and the payer may keep one next time
        def of_intent(name: str) -> Any:
            return intent.get(name) if isinstance(intent, Mapping) else getattr(intent, name, None)

        method, customer = of_intent("payment_method"), session.get("customer") or of_intent("customer")
        return {"metadata": {KEEP_CARD: "1"}, "customer": customer,
                "payment_method": method if isinstance(method, Mapping) else _id(method)}

    def _read(self, event_id: str, kind: str, obj: Mapping[str, Any], event: dict,
              config: _Config | None = None) -> Notification:
        currency = str(obj.get("currency") or "").upper()[:3]

        def note(outcome: str, reference: Any, transaction: Any = "", amount: Any = None,
                 error: str = "") -> Notification:
            metadata = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
            return Notification(event_id=event_id, kind=outcome, reference=_id(reference)[:200],
                                transaction_id=_id(transaction),
                                amount=None if amount is None else from_minor_units(amount, currency),
                                currency=currency, error=error[:300], payload=event,
                                attempt_id=str(metadata.get("clientpanel_attempt") or "")[:64])

        if kind.startswith("payment_intent."):
            if kind == "payment_intent.succeeded":
                succeeded = note(SUCCEEDED, obj.get("id"), obj.get("latest_charge") or obj.get("id"),
                                 obj.get("amount_received") or obj.get("amount"))
                method, label = self._kept_method(obj, config)
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
                method, label = self._kept_method(self._session_intent(obj, config), config)
                return replace(succeeded, saved_method=method, saved_method_label=label) if method else succeeded
            if kind == "checkout.session.completed":  # a bank debit: paid later, or not
                return note(PENDING, obj.get("id"))
            if kind == "checkout.session.async_payment_failed":
                return note(FAILED, obj.get("id"), error=_("The bank did not pay."))
            if kind == "checkout.session.expired":
                return note(FAILED, obj.get("id"), error=_("The payment page expired before the payment was made."))
        # Verified but of no use here (charge.refunded, customer.*, …): stored and answered 200 so
        # Stripe stops resending it; its kind is none the services act on.
        reference = obj.get("payment_intent") or obj.get("id") or event_id
        return Notification(event_id=event_id, kind=kind[:40], reference=f"{kind}:{_id(reference)}"[:200],
                            currency=currency, payload=event)

    # --- refunds ---------------------------------------------------------------------------------

    def refund(self, *, transaction_id: str, amount: Decimal, currency: str, idempotency_key: str,
               account_id: int, settings: Mapping[str, Any]) -> str:
        """Refund through Stripe the payment `transaction_id` (a charge or PaymentIntent id; the
        "/2" a payment of several proformas adds is dropped). Stripe keeps an idempotency key for
        24 hours only, so the payment's refunds are read first: one made under this key (our
        request reached Stripe, its answer did not reach us) is answered, never made again."""
        config = _Config(settings)
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
            raise _gateway_error(error) from None
        if refund.status in ("failed", "canceled"):
            raise GatewayError(_("Stripe did not refund: %(reason)s") % {
                "reason": getattr(refund, "failure_reason", None) or refund.status})
        return str(refund.id)
