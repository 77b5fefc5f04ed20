"""The offline test gateway (issue 15): for demos and tests, nothing leaves the machine. Its
"payment page" is a page of the portal (portal/views/payments.py) where the tester chooses what
the card does — succeed, fail, stay pending then succeed, or ask for a 3-D Secure step — and the
page then notifies as a real gateway would: a JSON event signed with HMAC-SHA256 under a secret
derived from SECRET_KEY and the gateway account, verified here like any other notification."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from clientpanel.core.money import AmountError, parse_amount

from . import FAILED, PENDING, SUCCEEDED, AttemptInfo, Checkout, Gateway, Notification, NotVerified, register

SIGNATURE_HEADER = "X-Test-Gateway-Signature"
KINDS = {"payment.succeeded": SUCCEEDED, "payment.failed": FAILED, "payment.pending": PENDING}


def secret(account_id: int) -> bytes:
    return salted_hmac("clientpanel.payments.test_gateway", str(account_id)).hexdigest().encode()


DECLINES = "declines"  # in a saved method's reference: a card that pays now, and declines when charged later


def signed_event(account_id: int, *, kind: str, reference: str, amount: Decimal, currency: str,
                 error: str = "", save: str = "") -> tuple[bytes, dict[str, str]]:
    """What the test gateway sends: a JSON body and its signature header. `save`: "card" keeps the
    card for later charges, "declining" keeps one that will be declined when charged."""
    event = {"id": f"evt_{uuid.uuid4().hex}", "type": kind, "payment": reference,
             "transaction": f"txn_{uuid.uuid4().hex[:16]}" if kind == "payment.succeeded" else "",
             "amount": str(amount), "currency": currency, "error": error}
    if save and kind == "payment.succeeded":
        event["method"] = f"pm_test_{DECLINES + '_' if save == 'declining' else ''}{uuid.uuid4().hex[:12]}"
        event["method_label"] = "Test card •••• 0002" if save == "declining" else "Test card •••• 4242"
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, {SIGNATURE_HEADER: hmac.new(secret(account_id), body, hashlib.sha256).hexdigest()}


@register
class TestGateway(Gateway):
    key = "test"
    title = gettext_lazy("Test gateway (no real money)")

    def start(self, attempt: AttemptInfo, *, return_url: str) -> Checkout:
        return Checkout(redirect_url=reverse("portal:test-gateway", args=[attempt.attempt_id]),
                        reference=f"test_{attempt.attempt_id}")

    refunds = True
    saves_methods = True

    def charge_saved(self, attempt: AttemptInfo, *, method_reference: str) -> Notification:
        """Succeeds at once, unless the card was saved as one that declines."""
        reference = f"test_{attempt.attempt_id}"
        if DECLINES in method_reference:
            return Notification(event_id=f"charge_{attempt.attempt_id}", kind=FAILED, reference=reference,
                                amount=attempt.amount, currency=attempt.currency,
                                error=str(gettext_lazy("The saved card was declined (test).")))
        return Notification(event_id=f"charge_{attempt.attempt_id}", kind=SUCCEEDED, reference=reference,
                            transaction_id=f"txn_{uuid.uuid4().hex[:16]}", amount=attempt.amount,
                            currency=attempt.currency)

    def refund(self, *, transaction_id: str, amount: Decimal, currency: str, idempotency_key: str,
               account_id: int, settings: Mapping[str, Any]) -> str:
        """Always succeeds; the same key answers the same refund id, as a real gateway's would."""
        return f"re_test_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]}"

    def verify(self, body: bytes, headers: Mapping[str, str], *, account_id: int,
               settings: Mapping[str, Any]) -> Notification:
        given = headers.get(SIGNATURE_HEADER, "")
        expected = hmac.new(secret(account_id), body, hashlib.sha256).hexdigest()
        if not given or not hmac.compare_digest(given, expected):
            raise NotVerified("bad or missing signature")
        try:
            event = json.loads(body)
            kind = KINDS[event["type"]]
            amount = parse_amount(event["amount"])
            return Notification(event_id=str(event["id"])[:200], kind=kind, reference=str(event["payment"])[:200],
                                transaction_id=str(event.get("transaction") or "")[:100], amount=amount,
                                currency=str(event["currency"])[:3], error=str(event.get("error") or "")[:300],
                                payload=event, saved_method=str(event.get("method") or "")[:200],
                                saved_method_label=str(event.get("method_label") or "")[:100])
        except (ValueError, KeyError, TypeError, AmountError) as error:
            raise NotVerified(f"unreadable event: {error}") from None
