"""The proforma editor in the browser (issue 14, item 6): a product's price fills a line, a line is
added, the totals follow the typing, a bad price is refused on its line, and the proforma is issued."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_proforma_built_line_by_line_with_live_totals(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    client = Client.objects.filter(currency="PLN", billing_country="PL").order_by("number").first()
    before = Document.objects.filter(client=client, type="PROFORMA").count()
    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.goto(f"{live_server.url}/staff/clients/{client.pk}/invoices/new/")
    page.locator("select[data-fill-line='1']").select_option(index=1)  # MINI — Monthly - 35.00 PLN
    expect(page.locator("[name='line-1-unit_price']")).to_have_value("35")
    page.locator("[name='line-1-quantity']").fill("3")
    page.get_by_role("button", name="+ Add line").click()
    page.locator("[name='line-2-description']").fill("Setup work")
    page.locator("[name='line-2-unit_price']").fill("12O.50")  # a letter O for a zero
    expect(page.locator("#line-2-net .text-danger")).to_be_visible()
    page.locator("[name='line-2-unit_price']").fill("120.50")
    totals = page.locator("#proforma-totals")
    expect(totals).to_contain_text("225.50")
    expect(totals).to_contain_text("VAT 23%")
    expect(totals).to_contain_text("277.37")
    page.get_by_role("button", name="Issue proforma").click()
    expect(page.locator("body")).to_contain_text("issued")
    assert Document.objects.filter(client=client, type="PROFORMA").count() == before + 1
    proforma = Document.objects.filter(client=client, type="PROFORMA").order_by("-created_at").first()
    assert [i.description for i in proforma.items.order_by("position")] == ["MINI", "Setup work"]
    assert proforma.total == Decimal("277.37")
