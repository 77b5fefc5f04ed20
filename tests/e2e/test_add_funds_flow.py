"""Issue 4 in the browser, following the seed: an Add Funds proforma of 150.00 for the Polish demo
client, its payment, the final FAKTURA invoice, the balance and the PDF."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.services import client_update
from clientpanel.core.money import display_amount

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_funds_pay_and_download_the_pdf(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    client = Client.objects.filter(billing_country="PL").exclude(tax_id="").order_by("number").first()
    if client.status != ClientStatus.ACTIVE:  # the demo closes some clients; a closed one takes no Add Funds
        client = client_update(actor=None, client_id=client.pk, data={"status": ClientStatus.ACTIVE})
    before = client.balance

    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.goto(f"{live_server.url}/staff/clients/{client.pk}/")
    expect(page.locator("#summary-home-company")).to_contain_text("Clientpanel Demo sp. z o.o.")
    expect(page.locator("#summary-taxes")).to_contain_text("VAT: 23%")

    page.locator(".nav-tabs").get_by_role("link", name="Invoices").click()
    page.get_by_role("button", name="+ Create Add Funds Proforma Invoice").click()
    modal = page.locator("#modal")
    modal.get_by_label("Net Amount").fill("150.001")
    modal.get_by_role("button", name="Save").click()
    expect(modal.locator(".invalid-feedback")).to_contain_text("at most 2 decimal places")
    modal.get_by_label("Net Amount").fill("150.00")
    modal.get_by_role("button", name="Save").click()
    row = page.locator("#documents-table tbody tr").first
    expect(row).to_contain_text("PROFORMA")
    expect(row).to_contain_text(shown(Decimal("184.50"), client.currency))
    expect(row).to_contain_text("UNPAID")

    row.get_by_role("link").first.click()
    page.get_by_role("button", name="Record payment").click()
    payment = page.locator("#modal")
    expect(payment.get_by_label("Amount (gross)")).to_have_value("184.50")
    payment.get_by_label("Transaction ID").fill("bank-2026-0001")
    payment.get_by_role("button", name="Save").click()
    expect(page.locator("#document-status")).to_have_text("INVOICED")

    today = timezone.localdate()
    invoice_link = page.locator("#related-link")
    expect(invoice_link).to_have_text(re.compile(rf"^FAKTURA/{today:%Y}/{today:%m}/\d+$"))
    invoice_number = invoice_link.inner_text()
    invoice_link.click()
    expect(page.locator("#document-status")).to_have_text("PAID")
    expect(page.locator("#document-title")).to_contain_text(invoice_number)

    with page.expect_download() as download_info:
        page.locator("#download-pdf").click()
    text = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes())).pages[0].extract_text()
    # The PDF is in the client's language: a Polish client's reads "Faktura" and "184,50".
    title = "Faktura" if client.language == "pl" else "Invoice"
    for expected in [title, invoice_number, "Clientpanel Demo sp. z o.o.", client.display_name, "VAT 23%",
                     shown(Decimal("184.50"), client.currency, client.language)]:
        assert expected in text, expected

    page.goto(f"{live_server.url}/staff/clients/{client.pk}/transactions/")
    expect(page.locator("#transactions-table tbody tr").first).to_contain_text(shown(Decimal("150.00"),
                                                                                       client.currency))
    client.refresh_from_db()
    assert client.balance - before == Decimal("150.0000")


def shown(amount: Decimal, currency: str, language: str = "en") -> str:
    """An amount as the pages and PDFs print it (core.money), with plain spaces as the text reads."""
    return display_amount(amount, currency, language).replace("\u00a0", " ")
