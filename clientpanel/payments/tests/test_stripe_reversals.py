"""Refunds and disputes made at Stripe, outside the panel: Stripe's signed `charge.refunded` and
`charge.dispute.*` are matched to our payment by the charge or payment intent we keep, recorded on
it once per event (a redelivery records nothing new), audited, told to staff by e-mail and shown on
the invoice's page and the client's Transactions tab until a credit note records them — and no
money moves by itself. A refund the panel sent (a credit note through the gateway) warns nobody."""

# ruff: noqa: F811 — the fixtures imported from test_stripe are parameters of the tests
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.ledger.models import LedgerEntry
from clientpanel.payments.models import GatewayEvent, GatewayRefund, GatewayReversal, ReversalKind

from .stripe_fixtures import localstripe  # noqa: F401
from .test_stripe import deliver, pay_with_card, shop  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
# Staff are told by e-mail (notifications listens to payments; payments never imports it).
EmailMessage = apps.get_model("notifications", "EmailMessage")
ON_24_NOV = int(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC).timestamp())


def paid_by_card(shop, client):
    """The first proforma ($20.00) paid with Stripe's test Visa; answers the attempt and its invoice."""
    _browser, attempt = pay_with_card(shop, shop["first"])
    assert deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", attempt.reference)
                   ).status_code == 200
    attempt.refresh_from_db()
    invoice = Document.objects.get(pk=Document.objects.get(pk=shop["first"].pk).related_id)
    return attempt, invoice


def refunded(event_id: str, attempt, cents: int, *, refunds: list | None = None) -> dict:
    """Stripe's charge.refunded for the attempt's charge, which has `cents` refunded in all so far;
    `refunds`: the charge's refunds listed (older API versions list them, newer ones do not)."""
    charge = {"id": attempt.transaction_id, "object": "charge", "amount": 2000, "amount_refunded": cents,
              "currency": "usd", "payment_intent": attempt.reference, "refunded": cents == 2000}
    if refunds is not None:
        charge["refunds"] = {"object": "list", "data": refunds}
    return {"id": event_id, "object": "event", "type": "charge.refunded", "created": ON_24_NOV,
            "data": {"object": charge}}


def dispute(event_id: str, kind: str, attempt, status: str, *, cents: int = 2000,
            balance_transactions: list | None = None) -> dict:
    """Stripe's charge.dispute.* for the attempt's charge, disputing `cents`; `balance_transactions`:
    the money the dispute moved in the Stripe account, as Stripe lists it on the dispute (made by
    dispute_move), if any."""
    disputed = {"id": "dp_1Disputed", "object": "dispute", "amount": cents, "currency": "usd",
                "charge": attempt.transaction_id, "payment_intent": attempt.reference, "reason": "fraudulent",
                "status": status, "created": ON_24_NOV}
    if balance_transactions is not None:
        disputed["balance_transactions"] = balance_transactions
    return {"id": event_id, "object": "event", "type": kind, "created": ON_24_NOV + 86400 * 30,
            "data": {"object": disputed}}


def dispute_move(cents: int, fee: int, currency: str = "usd") -> dict:
    """A balance transaction of a dispute as Stripe embeds it: `cents` withdrawn (negative) or
    reinstated, and the dispute fee charged (positive) or given back (negative), in the account's
    currency."""
    return {"id": f"txn_dispute_{cents}_{fee}", "object": "balance_transaction", "amount": cents,
            "currency": currency, "fee": fee, "net": cents - fee, "type": "adjustment",
            "reporting_category": "dispute", "status": "available",
            "fee_details": [{"amount": fee, "currency": currency, "description": "Dispute fee",
                             "type": "stripe_fee"}] if fee else []}


def books(client_id) -> tuple:
    """What the books say: ledger entries, credit notes, the panel's refunds."""
    return (LedgerEntry.objects.filter(client_id=client_id).count(),
            Document.objects.filter(type=DocumentType.CREDIT_NOTE).count(), GatewayRefund.objects.count())


def page(client, document) -> str:
    return client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()


def test_a_partial_then_full_refund_at_stripe_is_recorded_once_each_shown_and_moves_no_money(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    before = books(shop["payer"].pk)

    assert deliver(staff_client, shop, refunded("evt_refund_part", attempt, 500)).status_code == 200
    first = GatewayReversal.objects.get()
    assert (first.kind, first.amount, first.currency, first.attempt_id) == (ReversalKind.REFUNDED, D("5"), "USD",
                                                                            attempt.pk)
    assert first.happened_at == dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    assert first.event == GatewayEvent.objects.get(event_id="evt_refund_part")
    shown = page(staff_client, invoice)
    assert "Refunded at Stripe on 24 November 2026: $5.00 — issue a credit note to record it" in shown
    assert "without sending the money back through the gateway again" in shown
    assert f'hx-get="{reverse("backoffice:document-credit-note", args=[invoice.pk])}"' in shown
    assert "Refunded at Stripe on 24 November 2026: $5.00" in page(staff_client, shop["first"])  # the proforma too

    # The rest refunded: Stripe's charge now says $20.00 refunded in all, so $15.00 more went back.
    assert deliver(staff_client, shop, refunded("evt_refund_rest", attempt, 2000)).status_code == 200
    # Stripe delivers both again: nothing new is recorded.
    assert deliver(staff_client, shop, refunded("evt_refund_part", attempt, 500)).status_code == 200
    assert deliver(staff_client, shop, refunded("evt_refund_rest", attempt, 2000)).status_code == 200
    assert sorted(GatewayReversal.objects.values_list("amount", flat=True)) == [D("5"), D("15")]
    assert GatewayEvent.objects.filter(event_id="evt_refund_part").count() == 1

    # No money moved: no entry, no credit note, no refund; the invoice is still paid.
    assert books(shop["payer"].pk) == before
    assert Document.objects.get(pk=invoice.pk).status == DocumentStatus.PAID
    assert AuditEvent.objects.filter(action="payment_attempt.reversal", client_id=shop["payer"].pk).count() == 2
    mails = EmailMessage.objects.filter(template="payment_reversed").order_by("created_at")
    assert [m.recipient for m in mails] == ["staff@example.com"] * 2
    assert "Refunded at Stripe on 24 November 2026: $15.00 — issue a credit note to record it" in mails[1].body_text
    assert reverse("backoffice:document-detail", args=[invoice.pk]) in mails[1].body_text

    User.objects.filter(email="staff@example.com").update(language="pl")
    polish = page(staff_client, invoice)
    assert "Zwrócono w Stripe 24 listopada 2026: 5,00\xa0USD — wystaw fakturę korygującą, aby to zaksięgować" in polish
    tab = staff_client.get(reverse("backoffice:client-transactions", args=[shop["payer"].pk])).content.decode()
    assert "Zwrócono w Stripe 24 listopada 2026: 15,00\xa0USD" in tab and "Refunded at" not in tab


def test_a_credit_note_issued_for_what_went_back_quiets_the_warning(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    deliver(staff_client, shop, refunded("evt_refund_all", attempt, 2000))
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]), {"net_amount": "20"})
    assert GatewayRefund.objects.count() == 0  # recorded in the books only: the money went back at Stripe
    shown = page(staff_client, invoice)
    assert "Refunded at Stripe on 24 November 2026: $20.00 — recorded by a credit note" in shown
    assert "alert-warning" not in shown.split('id="gateway-reversals"')[1].split("</div>")[0]


def test_a_dispute_opened_then_lost_is_recorded_and_asks_for_a_credit_note(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    before = books(shop["payer"].pk)
    assert deliver(staff_client, shop, dispute("evt_dp_created", "charge.dispute.created", attempt,
                                               "needs_response")).status_code == 200
    shown = page(staff_client, invoice)
    assert ("Disputed at Stripe on 24 November 2026: $20.00 (reason: fraudulent) — answer it in the Stripe dashboard"
            in shown) and "dp_1Disputed" in shown
    assert "issue a credit note" not in shown  # nothing went back yet
    User.objects.filter(email="staff@example.com").update(language="pl")
    assert "(powód: oszustwo)" in page(staff_client, invoice)  # the reason in words, not Stripe's code
    User.objects.filter(email="staff@example.com").update(language="en")

    assert deliver(staff_client, shop, dispute("evt_dp_closed", "charge.dispute.closed", attempt,
                                               "lost")).status_code == 200
    assert deliver(staff_client, shop, dispute("evt_dp_closed", "charge.dispute.closed", attempt,
                                               "lost")).status_code == 200
    assert list(GatewayReversal.objects.order_by("recorded_at").values_list("kind", "amount", "external_id")) == [
        (ReversalKind.DISPUTE_OPENED, D("20"), "dp_1Disputed"), (ReversalKind.DISPUTE_LOST, D("20"), "dp_1Disputed")]
    shown = page(staff_client, invoice)
    assert ("Dispute at Stripe lost on 24 December 2026: $20.00 went back to the payer — issue a credit note to "
            "record it") in shown
    assert "answer it in the Stripe dashboard" not in shown  # closed
    assert books(shop["payer"].pk) == before and Document.objects.get(pk=invoice.pk).status == DocumentStatus.PAID
    assert EmailMessage.objects.filter(template="payment_reversed").count() == 2
    User.objects.filter(email="staff@example.com").update(language="pl")
    assert "Spór w Stripe przegrany 24 grudnia 2026: 20,00\xa0USD wróciło do płatnika" in page(staff_client, invoice)


def test_an_event_for_a_charge_we_do_not_know_is_stored_and_ignored(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    stranger = refunded("evt_refund_stranger", attempt, 700)
    stranger["data"]["object"].update(id="ch_not_ours", payment_intent="pi_not_ours")
    assert deliver(staff_client, shop, stranger).status_code == 200
    stored = GatewayEvent.objects.get(event_id="evt_refund_stranger")
    assert stored.kind == "charge.refunded" and stored.outcome == "unknown payment: nothing done"
    assert stored.attempt is None and not GatewayReversal.objects.exists()
    assert "gateway-reversals" not in page(staff_client, invoice)
    assert not EmailMessage.objects.filter(template="payment_reversed").exists()


def test_a_refund_sent_from_the_panel_warns_nobody(shop, staff_client):
    attempt, invoice = paid_by_card(shop, staff_client)
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "5", "refund_through_gateway": "on"})
    refund = GatewayRefund.objects.get()
    assert refund.refund_id.startswith("re_")
    # Stripe tells of it as of any refund: once as newer API versions do (the charge's total only),
    # once listing the refund with the metadata the panel gave it.
    listed = [{"id": refund.refund_id, "object": "refund", "amount": 500, "status": "succeeded",
               "created": ON_24_NOV, "metadata": {"clientpanel_refund": str(refund.pk)}}]
    assert deliver(staff_client, shop, refunded("evt_panel_1", attempt, 500)).status_code == 200
    assert deliver(staff_client, shop, refunded("evt_panel_2", attempt, 500, refunds=listed)).status_code == 200
    assert not GatewayReversal.objects.exists()
    assert GatewayEvent.objects.get(event_id="evt_panel_1").outcome.endswith("nothing new")
    assert "gateway-reversals" not in page(staff_client, invoice)
    assert not EmailMessage.objects.filter(template="payment_reversed").exists()

    # Then $3.00 more refunded in Stripe's dashboard: that much, and only that, is warned about.
    outside = {"id": "re_dashboard", "object": "refund", "amount": 300, "status": "succeeded",
               "created": ON_24_NOV + 3600, "metadata": {}}
    deliver(staff_client, shop, refunded("evt_outside", attempt, 800, refunds=[outside, *listed]))
    reversal = GatewayReversal.objects.get()
    assert (reversal.amount, reversal.external_id) == (D("3"), "re_dashboard")
    shown = page(staff_client, invoice)
    assert "Refunded at Stripe on 24 November 2026: $3.00 — issue a credit note to record it" in shown


def test_a_staff_member_limited_to_other_clients_is_not_told(shop, staff_client):
    from clientpanel.accounts.services import staff_create

    staff_create(email="elsewhere@example.com", password="correct-horse-battery", firstname="Eli", lastname="Else",
                 roles=["Administrator"], limited_to_assigned_clients=True)
    attempt, _invoice = paid_by_card(shop, staff_client)
    deliver(staff_client, shop, refunded("evt_refund_seen", attempt, 100))
    assert list(EmailMessage.objects.filter(template="payment_reversed").values_list("recipient", flat=True)) == [
        "staff@example.com"]
