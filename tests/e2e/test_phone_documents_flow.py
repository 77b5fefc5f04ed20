"""A document's lines on a phone (390 px), in English and Polish: the staff panel's document page and
proforma editor, and the portal's document page, neither scroll sideways. The items table and the
editor's grid of seven columns once scrolled inside their frame (the net and the remove button past
the right edge); each line now reads as a card (base.html: .cp-cards, .cp-cards-form) and a desktop
keeps the columns. The editor still adds, edits and removes lines on a phone, its totals following."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_issue
from tests.e2e.test_phone_lists_flow import PHONE, WIDER_THAN_THE_SCREEN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
# The name a card gives a cell on a phone: its ::before, from the cell's data-label ("none" without one).
NAMED_AS = "selector => getComputedStyle(document.querySelector(selector), '::before').content"
LONG_LINES = [
    {"description": "Serwer dedykowany Proxmox VE, 64 GB RAM, 2 × NVMe 1,92 TB, kwartał III", "quantity": "12.5",
     "unit_price": "12345.6789"},
    {"description": "Konsultacje wdrożeniowe (godziny)", "quantity": "1000", "unit_price": "987.65"},
]


def _within_the_screen(page, selector: str) -> None:
    boxes = [element.bounding_box() for element in page.locator(selector).all()]
    assert boxes, selector
    for box in boxes:
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


def _switch_language(page, language: str) -> None:
    page.locator(f"#language-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_a_documents_lines_and_the_proforma_editor_fit_a_phone(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    client = Client.objects.filter(currency="PLN", billing_country="PL").order_by("number").first()
    document = proforma_issue(actor=None, client_id=client.pk, items=LONG_LINES)
    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.set_viewport_size(PHONE)
    detail = live_server.url + reverse("backoffice:document-detail", args=[document.pk])
    editor = live_server.url + reverse("backoffice:proforma-create", args=[client.pk])

    for language in ("en", "pl"):
        if language == "pl":
            _switch_language(page, "pl")
        page.goto(detail)
        expect(page.locator("#items-table tbody tr")).to_have_count(2)
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], (language, "document")
        expect(page.locator("#items-table thead")).to_be_hidden()  # each line names its own numbers
        _within_the_screen(page, "#items-table tbody td")
        _within_the_screen(page, "#document-total")
        page.goto(editor)
        page.get_by_role("button", name="+ Add line" if language == "en" else "+ Dodaj pozycję").click()
        expect(page.locator("#proforma-lines tbody tr")).to_have_count(2)
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], (language, "editor")
        _within_the_screen(page, "#proforma-lines tbody td :is(input, select, button)")
    _switch_language(page, "en")

    # Editing on the phone: two lines typed, the second removed; the totals follow; the proforma is issued.
    page.goto(editor)
    page.locator("[name='line-1-description']").fill("Hosting")
    page.locator("[name='line-1-quantity']").fill("3")
    page.locator("[name='line-1-unit_price']").fill("35")
    page.get_by_role("button", name="+ Add line").click()
    page.locator("[name='line-2-description']").fill("Setup work")
    page.locator("[name='line-2-unit_price']").fill("120.50")
    totals = page.locator("#proforma-totals")
    expect(totals).to_contain_text("225.50")
    expect(page.locator("#line-1-net")).to_contain_text("105.00")
    _within_the_screen(page, "#line-2-net")
    top_up = page.locator("#proforma-lines tbody tr").nth(1).get_by_text("Top-up")  # its label shows on a phone
    expect(top_up).to_be_visible()
    top_up.click()
    expect(page.locator("[name='line-2-top_up']")).to_be_checked()
    page.locator("#proforma-lines tbody tr").nth(1).get_by_role("button", name="Remove line").click()
    expect(page.locator("#proforma-lines tbody tr")).to_have_count(1)
    expect(totals).not_to_contain_text("225.50")
    expect(totals).to_contain_text("105.00")
    expect(totals).to_contain_text("129.15")  # VAT 23%
    page.get_by_role("button", name="Issue proforma").click()
    expect(page.locator("#document-total")).to_contain_text("129.15")
    issued = Document.objects.filter(client=client, type="PROFORMA").order_by("-created_at").first()
    assert issued.pk != document.pk and issued.total == Decimal("129.15")
    assert [(i.description, i.quantity) for i in issued.items.order_by("position")] == [("Hosting", Decimal("3"))]

    # A desktop keeps the columns.
    page.set_viewport_size(DESKTOP)
    page.goto(detail)
    expect(page.get_by_role("columnheader", name="Unit price")).to_be_visible()
    page.goto(editor)
    expect(page.get_by_role("columnheader", name="Top-up")).to_be_visible()
    label = page.locator("#proforma-lines tbody tr").first.get_by_text("Top-up").bounding_box()
    assert label is not None and label["width"] <= 1  # visually hidden: the header names the column
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []


def test_the_portals_document_page_fits_a_phone(browser, live_server, make_client, portal_log_in):
    password = "portal-owner-passphrase"
    for language in ("en", "pl"):
        owned = make_client(company_name="Wiśniewski i Wspólnicy sp. z o.o.", language=language, currency="PLN",
                            password=password, email=f"owner-{language}@example.com")
        document = proforma_issue(actor=None, client_id=owned.pk, items=LONG_LINES)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(10_000)
        portal_log_in(page, owned.owner.email, password)
        page.goto(live_server.url + reverse("portal:document", args=[document.pk]))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#document-total")).to_be_visible()
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], language
        _within_the_screen(page, "#document-total")
        # Each card names its numbers, as the header it hides did: the quantity and the item's net.
        expect(page.locator("#document-items thead")).to_be_hidden()
        net, quantity = ("Net", "Quantity") if language == "en" else ("Netto", "Ilość")
        assert page.evaluate(NAMED_AS, "#document-items tbody tr:first-child td:last-child") == f'"{net}: "'
        assert page.evaluate(NAMED_AS, "#document-items tbody tr:first-child td:nth-child(2)") == f'"{quantity}: "'
        page.set_viewport_size(DESKTOP)  # a desktop keeps the columns, their header naming them
        expect(page.get_by_role("columnheader", name=net, exact=True)).to_be_visible()
        assert page.evaluate(NAMED_AS, "#document-items tbody tr:first-child td:last-child") == "none"
        context.close()
