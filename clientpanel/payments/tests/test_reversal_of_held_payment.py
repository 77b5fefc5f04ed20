"""A refund made at Stripe of a payment the panel never applied (held for review: the proforma was
cancelled or paid meanwhile, or the amount differed) asks for no credit note: nothing reached the
books, and there is no invoice to issue one on. It asked for one, for ever, on a page with no
credit note button; the held payment's own "Mark resolved" is the way out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import REFUNDED, Notification, Reversal
from clientpanel.payments.models import AttemptDocument, AttemptStatus, GatewayReversal, PaymentAttempt
from clientpanel.payments.selectors import reversal_notices
from clientpanel.payments.services import notification_apply
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _attempt(client, status: str) -> PaymentAttempt:
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    attempt = PaymentAttempt.objects.create(
        client=client, home_company=default_home_company(), gateway="stripe", currency="USD", amount=proforma.total,
        status=status, reference="pi_held", transaction_id="ch_held", started_by_label="client")
    AttemptDocument.objects.create(attempt=attempt, document=proforma, amount=proforma.total)
    return attempt


def _refund_at_stripe(cents: int) -> Notification:
    reversal = Reversal(kind=REFUNDED, payment_ids=("ch_held", "pi_held"), amount=Decimal(cents) / 100,
                        happened_at=dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC), external_id="re_held")
    return Notification(event_id=f"evt_{cents}", kind="charge.refunded", reference="pi_held",
                        transaction_id="ch_held", amount=reversal.amount, currency="USD", reversal=reversal)


@pytest.mark.parametrize("status", [AttemptStatus.HELD, AttemptStatus.RESOLVED])
def test_a_refund_of_a_payment_never_applied_asks_for_no_credit_note(make_client, status):
    attempt = _attempt(make_client(currency="USD", billing_address={"country": "US", "region": ""}), status)
    notification_apply(gateway_key="stripe", note=_refund_at_stripe(2000))
    assert GatewayReversal.objects.get().amount == Decimal("20")  # still recorded, audited and told
    with translation.override("en"):
        [notice] = reversal_notices(attempts=[attempt])
        assert notice.invoices == [] and notice.outstanding == 0 and not notice.warns
        [line] = notice.lines
    assert "issue a credit note" not in line["text"] and not line["warn"]
    assert line["text"].startswith("Refunded at Stripe on 24 November 2026: $20.00 — the panel never applied")
    with translation.override("pl"):
        assert "panel nie zaksięgował tej płatności" in reversal_notices(attempts=[attempt])[0].lines[0]["text"]


def test_a_refund_of_an_applied_payment_still_asks_for_one(make_client):
    attempt = _attempt(make_client(currency="USD", billing_address={"country": "US", "region": ""}),
                       AttemptStatus.SUCCEEDED)
    notification_apply(gateway_key="stripe", note=_refund_at_stripe(500))
    with translation.override("en"):
        [notice] = reversal_notices(attempts=[attempt])
        assert notice.outstanding == Decimal("5") and notice.warns
        assert notice.lines[0]["text"].endswith("— issue a credit note to record it")
