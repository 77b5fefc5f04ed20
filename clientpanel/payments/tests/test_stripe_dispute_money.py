"""The money of a charge refunded at Stripe and disputed: what the warning asks credit notes to
record never exceeds what the payment brought in (a refund and a lost dispute of the same money ask
for it once), a partial refund and a lost dispute of the rest add up, a won dispute asks for
nothing; and Stripe's dispute fee, read from the dispute's balance transactions, is recorded and
shown to staff as the business's cost, never added to what the client is credited or charged."""

# ruff: noqa: F811 — the fixtures imported from test_stripe are parameters of the tests
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.ledger.models import LedgerEntry
from clientpanel.payments.gateways import DISPUTE_LOST, DISPUTE_OPENED, DISPUTE_WON, REFUNDED, Notification, Reversal
from clientpanel.payments.gateways.stripe_reversals import reversal_read
from clientpanel.payments.models import AttemptStatus, GatewayRefund, GatewayReversal, RefundStatus
from clientpanel.payments.selectors import reversal_notices, sent_back_by_panel
from clientpanel.payments.services import notification_apply

from .stripe_fixtures import localstripe  # noqa: F401
from .test_reversal_of_held_payment import _attempt
from .test_stripe import deliver, shop  # noqa: F401
from .test_stripe_reversals import ON_24_NOV, EmailMessage, dispute, dispute_move, page, paid_by_card, refunded

pytestmark = pytest.mark.django_db

D = Decimal
WHEN = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def _told(kind: str, cents: int, number: int) -> Notification:
    """Stripe's word on the held-test payment (ch_held, $20.00): a refund (`cents` refunded in all)
    or the dispute dp_held (`cents` disputed)."""
    reversal = Reversal(kind=kind, payment_ids=("ch_held", "pi_held"), amount=D(cents) / 100,
                        happened_at=WHEN + dt.timedelta(days=number),
                        external_id="re_held" if kind == REFUNDED else "dp_held")
    return Notification(event_id=f"evt_{number}", kind=kind.lower(), reference="pi_held", transaction_id="ch_held",
                        amount=reversal.amount, currency="USD", reversal=reversal)


@pytest.fixture
def applied(make_client):
    return _attempt(make_client(currency="USD", billing_address={"country": "US", "region": ""}),
                    AttemptStatus.SUCCEEDED)


def _notice_after(attempt, *told: Notification):
    for note in told:
        notification_apply(gateway_key="stripe", note=note)
    [notice] = reversal_notices(attempts=[attempt])
    return notice


def test_a_partial_refund_and_a_lost_dispute_of_the_rest_add_up_to_the_payment(applied):
    notice = _notice_after(applied, _told(REFUNDED, 500, 1), _told(DISPUTE_OPENED, 1500, 2),
                           _told(DISPUTE_LOST, 1500, 3))
    assert (notice.taken_back, notice.beyond, notice.outstanding) == (D("20.00"), D(0), D("20.00"))


def test_a_dispute_won_after_a_partial_refund_asks_only_for_the_refund(applied):
    # Stripe withdrew the $15.00 when the dispute opened and gave it back when the seller won.
    notice = _notice_after(applied, _told(REFUNDED, 500, 1), _told(DISPUTE_OPENED, 1500, 2),
                           _told(DISPUTE_WON, 1500, 3))
    assert (notice.outstanding, notice.beyond, notice.open_disputes) == (D("5.00"), D(0), set())


def test_a_full_refund_and_a_lost_dispute_of_the_whole_charge_ask_for_the_payment_once(applied):
    notice = _notice_after(applied, _told(REFUNDED, 2000, 1), _told(DISPUTE_OPENED, 2000, 2),
                           _told(DISPUTE_LOST, 2000, 3))
    assert (notice.taken_back, notice.beyond, notice.outstanding) == (D("20.00"), D("20.00"), D("20.00"))
    # A partial refund and a dispute of the whole charge: $5.00 went back twice.
    GatewayReversal.objects.filter(kind=REFUNDED).update(amount=D("5"))
    [notice] = reversal_notices(attempts=[applied])
    assert (notice.outstanding, notice.beyond) == (D("20.00"), D("5.00"))


def _charge_dispute(status: str, moves: list | None, kind: str = "charge.dispute.closed") -> Reversal:
    obj = {"id": "dp_1", "object": "dispute", "amount": 2000, "currency": "usd", "charge": "ch_1",
           "payment_intent": "pi_1", "reason": "fraudulent", "status": status, "created": 1795003200}
    if moves is not None:
        obj["balance_transactions"] = moves
    event = {"id": "evt_1", "type": kind, "created": 1795003200, "data": {"object": obj}}
    return reversal_read("evt_1", kind, obj, event).reversal


def test_stripes_dispute_fee_is_read_from_the_disputes_balance_transactions():
    lost = _charge_dispute("lost", [dispute_move(-2000, 1500)])
    assert (lost.kind, lost.amount, lost.fee, lost.fee_currency) == (DISPUTE_LOST, D("20.00"), D("15.00"), "USD")
    # The account settles in euros: the fee is in euros, whatever the payment's currency.
    assert (_charge_dispute("lost", [dispute_move(-1850, 1500, "eur")]).fee_currency) == "EUR"
    assert _charge_dispute("lost", [dispute_move(-2000, 1500, "jpy")]).fee == D("1500")
    # Won: the fee given back with the money leaves none; a fee Stripe kept stays.
    assert _charge_dispute("won", [dispute_move(-2000, 1500), dispute_move(2000, -1500)]).fee is None
    assert _charge_dispute("won", [dispute_move(-2000, 1500), dispute_move(2000, 0)]).fee == D("15.00")
    # What Stripe does not state is not made up; the dispute is recorded all the same.
    unreadable = dispute_move(-2000, 1500) | {"fee": "fifteen"}
    for moves in (None, [], ["txn_not_expanded"], [unreadable], [dispute_move(-2000, 1500),
                                                                 dispute_move(100, 100, "eur")]):
        read = _charge_dispute("lost", moves)
        assert (read.kind, read.amount, read.fee, read.fee_currency) == (DISPUTE_LOST, D("20.00"), None, "")
    # An open dispute's fee may still come back: only a closed one's is recorded.
    assert _charge_dispute("needs_response", [dispute_move(-2000, 1500)], "charge.dispute.created").fee is None
    # A fee of JSON 1e309 (infinity) was an OverflowError: a 500 Stripe would retry for days.
    assert _charge_dispute("lost", [dispute_move(-2000, 1500) | {"fee": float("inf")}]).fee is None


def test_a_refund_listed_without_a_readable_time_is_read_not_a_500():
    obj = {"id": "ch_1", "object": "charge", "amount_refunded": 500, "currency": "usd", "payment_intent": "pi_1",
           "refunds": {"data": [{"id": "re_1", "status": "succeeded", "created": "soon"},
                                {"id": "re_2", "status": "succeeded", "created": 1795003200}]}}
    read = reversal_read("evt_1", "charge.refunded", obj, {"id": "evt_1", "created": 1795003300}).reversal
    assert (read.kind, read.amount, read.external_id) == (REFUNDED, D("5.00"), "re_2")


def _box(shown: str) -> str:
    return html.unescape(shown.split('id="gateway-reversals"')[1].split('<div class="row g-3">')[0])


def test_a_charge_refunded_then_lost_in_a_dispute_asks_for_one_credit_note_and_shows_the_fee(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    entries = LedgerEntry.objects.filter(client_id=shop["payer"].pk).count()
    assert deliver(staff_client, shop, refunded("evt_all_back", attempt, 2000)).status_code == 200
    assert deliver(staff_client, shop, dispute("evt_dp_open", "charge.dispute.created", attempt, "needs_response",
                                               balance_transactions=[dispute_move(-2000, 1500)])).status_code == 200
    assert deliver(staff_client, shop, dispute("evt_dp_lost", "charge.dispute.closed", attempt, "lost",
                                               balance_transactions=[dispute_move(-2000, 1500)])).status_code == 200
    lost = GatewayReversal.objects.get(kind=DISPUTE_LOST)
    assert (lost.amount, lost.fee, lost.fee_currency) == (D("20"), D("15"), "USD")
    assert GatewayReversal.objects.get(kind=DISPUTE_OPENED).fee is None

    shown = _box(page(staff_client, invoice))
    assert "$20.00 went back to the payer at Stripe and no credit note records it yet" in shown
    assert "$40.00" not in shown
    assert "$20.00 of what went back at Stripe is more than this payment had left to give back" in shown
    assert "Stripe kept a dispute fee of $15.00: the business's own cost, not the client's to pay." in shown
    mail = EmailMessage.objects.filter(template="payment_reversed").order_by("created_at").last()
    assert "Stripe kept a dispute fee of $15.00" in html.unescape(mail.body_text)
    # The fee is the business's: the client's balance did not move.
    assert LedgerEntry.objects.filter(client_id=shop["payer"].pk).count() == entries

    User.objects.filter(email="staff@example.com").update(language="pl")
    polish = _box(page(staff_client, invoice))
    assert "Stripe pobrał opłatę za spór 15,00\xa0USD: to koszt firmy, klient jej nie płaci." in polish
    assert "20,00\xa0USD z tego, co wróciło w Stripe, przekracza to, co z tej płatności zostało" in polish
    User.objects.filter(email="staff@example.com").update(language="en")

    # One credit note of the payment's $20.00 records it all; the fee is not asked for.
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]), {"net_amount": "20"})
    shown = _box(page(staff_client, invoice))
    assert "no credit note records it yet" not in shown and "alert-warning" not in shown
    with translation.override("en"):
        [notice] = reversal_notices(document=invoice)
    assert notice.outstanding == 0 and not notice.warns


def test_a_lost_dispute_after_a_panel_refund_asks_only_for_what_was_left(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "5", "refund_through_gateway": "on"})
    assert GatewayRefund.objects.get().amount == D("5")
    # The payer's bank disputed the whole $20.00 all the same, and the seller lost.
    deliver(staff_client, shop, dispute("evt_dp_lost_all", "charge.dispute.closed", attempt, "lost"))
    [notice] = reversal_notices(document=invoice)
    assert (notice.taken_back, notice.beyond, notice.outstanding) == (D("15"), D("5"), D("15"))
    assert "$15.00 went back to the payer at Stripe" in _box(page(staff_client, invoice))


def test_a_panel_refund_thought_failed_that_stripe_lists_counts_as_made(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "5", "refund_through_gateway": "on"})
    refund = GatewayRefund.objects.get()
    made_at_stripe = refund.refund_id
    # The refund was made, but the panel lost Stripe's answer and kept it as failed.
    GatewayRefund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED, refund_id="",
                                                      error="The payment service did not answer: Timeout")
    listed = [{"id": made_at_stripe, "object": "refund", "amount": 500, "status": "succeeded",
               "created": ON_24_NOV, "metadata": {"clientpanel_refund": str(refund.pk)}}]
    assert deliver(staff_client, shop, refunded("evt_listed", attempt, 500, refunds=listed)).status_code == 200
    assert not GatewayReversal.objects.exists()
    # Stripe's word is the panel's now: the refund is made, its credit note records money that went back.
    refund.refresh_from_db()
    assert (refund.status, refund.refund_id, refund.error) == (RefundStatus.SUCCEEDED, made_at_stripe, "")
    assert sent_back_by_panel(attempt) == sent_back_by_panel(attempt, invoice=invoice) == D("5")
    # A lost dispute of the whole charge then asks only for what the invoice has left: $15.00, not $20.00.
    deliver(staff_client, shop, dispute("evt_dp_lost_after_listed", "charge.dispute.closed", attempt, "lost"))
    [notice] = reversal_notices(document=invoice)
    assert (notice.taken_back, notice.beyond, notice.outstanding) == (D("15"), D("5"), D("15"))
