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


def signed_event(account_id: int, *, kind: str, reference: str, amount: Decimal, currency: str,
                 error: str = "") -> tuple[bytes, dict[str, str]]:
    """What the test gateway sends: a JSON body and its signature header."""
    event = {"id": f"evt_{uuid.uuid4().hex}", "type": kind, "payment": reference,
             "transaction": f"txn_{uuid.uuid4().hex[:16]}" if kind == "payment.succeeded" else "",
             "amount": str(amount), "currency": currency, "error": error}
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
                                payload=event)
        except (ValueError, KeyError, TypeError, AmountError) as error:
            raise NotVerified(f"unreadable event: {error}") from None
