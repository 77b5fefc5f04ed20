"""Paying online as a client would (issue 15), through the offline test gateway: tick two unpaid
proformas, pay them at once, come back to the final invoices; then a card that asks for 3-D Secure
and is declined, leaving the third proforma unpaid with the reason."""

import os
import re

import pytest
from playwright.sync_api import expect

from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateway_accounts import gateway_account_save
from clientpanel.tax.selectors import default_home_company

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-payer-passphrase"


def _shot(page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):  # a folder to look at the pages in
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def test_a_client_pays_two_proformas_at_once_then_a_declined_3d_secure(page, live_server, make_client, portal_log_in):
    gateway_account_save(actor=None, company_id=default_home_company().pk, gateway="test")
    payer = make_client(company_name="Payer Ltd", currency="USD", email="payer@example.com", password=PASSWORD)
    first, second, third = (proforma_add_funds(actor=None, client_id=payer.pk, net_amount=amount)
                            for amount in ("20", "30", "15"))

    portal_log_in(page, "payer@example.com", PASSWORD)
    page.get_by_role("link", name="Invoices").click()
    page.get_by_label(f"Pay {first.number}").check()
    page.get_by_label(f"Pay {second.number}").check()
    _shot(page, "pay-invoices")
    page.get_by_role("button", name="Pay the selected proformas").click()
    expect(page.locator("#test-gateway-amount")).to_have_text("$50.00")
    _shot(page, "pay-test-gateway")
    page.get_by_role("button", name="Pay (succeeds)").click()
    expect(page.locator("#payment-badge")).to_have_text("Succeeded")
    invoices = Document.objects.filter(client=payer, type=DocumentType.INVOICE)
    for invoice in invoices:
        expect(page.locator("#payment-invoices")).to_contain_text(invoice.number)
    assert invoices.count() == 2
    _shot(page, "pay-succeeded")
    page.locator("#payment-invoices a").first.click()
    expect(page.get_by_role("heading", name=re.compile("Invoice"))).to_be_visible()

    page.goto(f"{live_server.url}/portal/invoices/{third.pk}/")
    page.get_by_role("button", name="Pay now").click()
    page.get_by_role("button", name="Ask for 3-D Secure").click()
    expect(page.get_by_text("3-D Secure")).to_be_visible()
    _shot(page, "pay-3ds")
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.locator("#payment-error")).to_contain_text("3-D Secure authentication failed")
    _shot(page, "pay-failed")
    assert Document.objects.get(pk=third.pk).status == DocumentStatus.UNPAID


def test_a_client_keeps_a_card_and_turns_auto_top_up_on(page, live_server, make_client, portal_log_in):
    gateway_account_save(actor=None, company_id=default_home_company().pk, gateway="test")
    payer = make_client(company_name="Prepaid Ltd", currency="USD", email="prepaid@example.com", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="25")

    portal_log_in(page, "prepaid@example.com", PASSWORD)
    page.goto(f"{live_server.url}/portal/invoices/{proforma.pk}/")
    page.get_by_role("button", name="Pay now").click()
    page.get_by_role("button", name="Pay and keep the card").click()
    expect(page.locator("#payment-badge")).to_have_text("Succeeded")
    page.get_by_role("link", name="Back to invoices").click()
    page.get_by_role("link", name="Payment methods").click()
    expect(page.locator("#saved-methods")).to_contain_text("Test card •••• 4242")
    expect(page.locator("#saved-methods")).to_contain_text("Default")
    page.get_by_label("Top up my balance automatically").check()
    page.get_by_label("Amount each time (net)").fill("50")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert")).to_contain_text("Auto top-up is on.")
    _shot(page, "payment-methods")
    assert payer.auto_top_up.enabled and payer.auto_top_up.amount == 50

    # The next proforma is paid with the kept card from its page, without the gateway's page.
    second = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="15")
    page.goto(f"{live_server.url}/portal/invoices/{second.pk}/")
    page.set_viewport_size({"width": 375, "height": 800})
    _shot(page, "pay-with-saved-card")
    page.get_by_role("button", name="Pay with Test card •••• 4242").click()
    expect(page.locator("#payment-badge")).to_have_text("Succeeded")
    assert Document.objects.get(pk=second.pk).status == DocumentStatus.INVOICED
