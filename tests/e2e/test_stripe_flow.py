"""Paying by card through Stripe as a client would (issue 15), against localstripe on loopback:
tick two unpaid proformas, pay them with Stripe's test Visa card, and come back to the final
invoices once localstripe's signed webhook reached the live server; then a declined card leaves the
third proforma unpaid with the reason; and a refund of the first payment goes back through Stripe."""

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import get_gateway
from clientpanel.payments.models import AttemptStatus, GatewayAccount, PaymentAttempt
from clientpanel.payments.tests.stripe_fixtures import localstripe  # noqa: F401 — the session's localstripe
from clientpanel.tax.selectors import default_home_company

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-payer-passphrase"


@pytest.fixture
def stripe_webhooks(localstripe, live_server):  # noqa: F811
    """localstripe sends its webhooks to this test's live server — and nowhere once it is over."""
    endpoint = f"e2e-{uuid.uuid4().hex[:8]}"
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="stripe",
                                            settings=localstripe.settings())
    localstripe.send_webhooks_to(endpoint, f"{live_server.url}/portal/payments/notify/stripe/{account.pk}/")
    yield account
    localstripe.send_webhooks_to(endpoint, "http://127.0.0.1:9/")  # the discard port: refused at once


def _wait_for(page, badge: str) -> None:
    """The payment page shows Stripe's word once its webhook arrived (localstripe sends it a second
    after the payment): refresh as a payer would."""
    for _ in range(20):
        if page.locator("#payment-badge").inner_text() == badge:
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#payment-badge")).to_have_text(badge)


def test_a_client_pays_two_proformas_by_card_through_stripe_then_a_card_is_declined(
        page, live_server, make_client, stripe_webhooks, localstripe, portal_log_in):  # noqa: F811
    payer = make_client(company_name="Card Payer Ltd", currency="USD", email="card@example.com", password=PASSWORD)
    first, second, third = (proforma_add_funds(actor=None, client_id=payer.pk, net_amount=amount)
                            for amount in ("20", "30", "15"))

    portal_log_in(page, "card@example.com", PASSWORD)
    page.get_by_role("link", name="Invoices").click()
    page.get_by_label(f"Pay {first.number}").check()
    page.get_by_label(f"Pay {second.number}").check()
    page.get_by_role("button", name="Pay the selected proformas").click()
    expect(page.locator("#stripe-amount")).to_have_text("$50.00")
    expect(page.get_by_role("note")).to_contain_text("no real card is charged")
    page.get_by_role("button", name="Pay with Visa 4242 (succeeds)").click()
    _wait_for(page, "Succeeded")
    invoices = Document.objects.filter(client=payer, type=DocumentType.INVOICE)
    assert invoices.count() == 2
    for invoice in invoices:
        expect(page.locator("#payment-invoices")).to_contain_text(invoice.number)
    attempt = PaymentAttempt.objects.get(status=AttemptStatus.SUCCEEDED)
    intent = localstripe.get(f"/v1/payment_intents/{attempt.reference}")
    assert intent["amount"] == 5000 and intent["status"] == "succeeded"
    page.locator("#payment-invoices a").first.click()
    expect(page.get_by_role("heading", name=re.compile("Invoice"))).to_be_visible()

    page.goto(f"{live_server.url}/portal/invoices/{third.pk}/")
    page.get_by_role("button", name="Pay now").click()
    page.get_by_role("button", name="Pay with a card that is declined").click()
    expect(page.get_by_text("The card was declined")).to_be_visible()
    _wait_for(page, "Failed")
    expect(page.locator("#payment-error")).to_contain_text("declined")
    assert Document.objects.get(pk=third.pk).status == DocumentStatus.UNPAID

    # The first payment goes back through Stripe, in part (as a credit note of one proforma would).
    refund_id = get_gateway("stripe").refund(
        transaction_id=f"{attempt.transaction_id}/1", amount=Decimal("20"), currency="USD",
        idempotency_key=f"credit-note-{first.pk}", account_id=stripe_webhooks.pk, settings=stripe_webhooks.settings)
    assert localstripe.get(f"/v1/refunds/{refund_id}")["amount"] == 2000
