"""Money that already went back at the gateway (a refund made in its dashboard, a dispute lost) is
not sent back a second time by a credit note "refunded through the gateway": the page tells staff
to record it with a credit note, and a credit note that also asked the gateway sent the payer the
same money again. What the gateway may still send back is what the payment took, less the panel's
own refunds and what went back there already."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.payments.gateways import DISPUTE_LOST, REFUNDED, GatewayError, Notification, Reversal
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import GatewayRefund, RefundStatus
from clientpanel.payments.refunds import credit_note_with_gateway_refund, gateway_refund_send
from clientpanel.payments.services import notification_apply
from clientpanel.payments.tests.online import paid_through_test_gateway

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def paid_online(make_client):
    """A 40.00 proforma (no tax: a US client) paid through the test gateway."""
    invoice, attempt = paid_through_test_gateway(make_client(currency="USD", billing_address={"country": "US",
                                                                                              "region": ""}))
    assert invoice.total == D("40.00")
    return {"invoice": invoice, "attempt": attempt}


def _went_back_at_gateway(attempt, kind: str, amount: str) -> None:
    reversal = Reversal(kind=kind, payment_ids=(attempt.transaction_id,), amount=D(amount),
                        happened_at=dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC), external_id=f"x_{kind}")
    notification_apply(gateway_key="test", note=Notification(
        event_id=f"evt_{kind}", kind=kind.lower(), reference=attempt.reference, transaction_id=attempt.transaction_id,
        amount=reversal.amount, currency="USD", reversal=reversal))


def test_a_refund_made_in_the_gateways_dashboard_is_not_sent_again(paid_online):
    _went_back_at_gateway(paid_online["attempt"], REFUNDED, "30.00")
    with pytest.raises(Conflict):
        credit_note_with_gateway_refund(actor=None, invoice_id=paid_online["invoice"].pk, net_amount="20")
    assert not GatewayRefund.objects.exists()
    assert not Document.objects.filter(type=DocumentType.CREDIT_NOTE).exists()  # nothing half-written
    # What is left at the gateway may still go back through it.
    _outcome, refund = credit_note_with_gateway_refund(actor=None, invoice_id=paid_online["invoice"].pk,
                                                       net_amount="10")
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == D("10.00")


def test_a_dispute_lost_is_not_refunded_again(paid_online):
    _went_back_at_gateway(paid_online["attempt"], DISPUTE_LOST, "40.00")
    with pytest.raises(Conflict):
        credit_note_with_gateway_refund(actor=None, invoice_id=paid_online["invoice"].pk, net_amount="40")
    assert not GatewayRefund.objects.exists()


def test_a_refused_refund_retried_after_the_money_went_back_in_the_dashboard_is_not_sent_again(paid_online,
                                                                                                 monkeypatch):
    calls = []

    def refuse(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        raise GatewayError("The gateway is down.")

    monkeypatch.setattr(card.TestGateway, "refund", refuse)
    _outcome, refund = credit_note_with_gateway_refund(actor=None, invoice_id=paid_online["invoice"].pk,
                                                       net_amount="40")
    assert refund.status == RefundStatus.FAILED and len(calls) == 1
    # Staff refunded it in the gateway's dashboard meanwhile; then someone presses "Ask the gateway again".
    _went_back_at_gateway(paid_online["attempt"], REFUNDED, "40.00")
    monkeypatch.undo()
    again = gateway_refund_send(refund_id=refund.pk)
    assert again.status == RefundStatus.FAILED and "went back" in again.error
    assert not again.refund_id
