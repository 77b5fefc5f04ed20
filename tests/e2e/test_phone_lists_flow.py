"""The staff panel's lists on a phone (390 px): neither the page nor a list's table scrolls sideways.
At 390 px the Services list and a client's Services tab were tables wider than the screen (their
status badges, dates and price past the right edge); each row of a list now reads as a card
(base.html: .cp-cards) without the columns a phone can do without, which a desktop keeps."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import localtime
from playwright.sync_api import expect

from clientpanel.client_services.models import Service
from clientpanel.invoicing.models import Document
from clientpanel.tax.selectors import default_home_company
from clientpanel.webhooks.services import endpoint_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# What scrolls sideways on the page: the page itself, or a list's table within its scrolling frame.
WIDER_THAN_THE_SCREEN = """() => {
  const wide = [], page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) wide.push('page ' + page.scrollWidth);
  for (const frame of document.querySelectorAll('.table-responsive')) {
    const table = frame.querySelector('table');
    if (frame.scrollWidth > frame.clientWidth) wide.push((table && table.id || 'table') + ' ' + frame.scrollWidth);
  }
  return wide;
}"""


def test_the_staff_lists_fit_a_phone_and_a_desktop_keeps_their_columns(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    service = Service.objects.filter(billed_until__isnull=False).order_by("client__number").first()
    client = service.client
    document = Document.objects.order_by("client__number").first()
    endpoint_create(actor=None, data={"url": "http://127.0.0.1:9/hooks/clientpanel/incoming-events-for-the-sales-crm",
                                      "description": "CRM", "events": ["client.created", "document.issued"]})
    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.set_viewport_size(PHONE)

    lists = {
        reverse("backoffice:service-list"): "#service-list",
        reverse("backoffice:client-services", args=[client.pk]): "#services-table",
        reverse("backoffice:client-list"): "#client-table",
        reverse("backoffice:finance-documents"): "#documents-table",
        reverse("backoffice:client-invoices", args=[document.client_id]): "#documents-table",
        reverse("backoffice:user-list"): "#user-table",
        reverse("backoffice:client-users", args=[client.pk]): "#client-users-table",
        reverse("backoffice:webhook-list"): "#webhook-table tbody a",
        reverse("backoffice:product-list"): "main",
        reverse("backoffice:client-import"): "main",
        reverse("backoffice:finance-transactions"): "#finance-transactions",
        reverse("backoffice:client-transactions", args=[client.pk]): "#transactions-table",
        reverse("backoffice:finance-reports"): "main",
        reverse("backoffice:finance-report-revenue"): "#report-tabs",
        reverse("backoffice:finance-report-tax"): "#report-tabs",
        reverse("backoffice:finance-report-aging"): "#report-tabs",
        reverse("backoffice:finance-report-balances"): "#report-tabs",
        reverse("backoffice:activity-log"): "#audit-table",
        reverse("backoffice:home-company-edit", args=[default_home_company().pk]): "#tax-rules",
    }
    for language in ("en", "pl"):  # Polish words are longer: the Invoices tab's buttons once pushed the page wider
        if language == "pl":
            page.locator("#language-switch button[value=pl]").click()
            expect(page.locator("html")).to_have_attribute("lang", "pl")
        for url, shown in lists.items():
            page.goto(live_server.url + url)
            expect(page.locator(shown).first).to_be_visible()
            assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], (language, url)
    page.locator("#language-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # A service's card keeps what it is, its status, price and next charge; the dates wait for a wider screen.
    page.goto(live_server.url + reverse("backoffice:client-services", args=[client.pk]))
    card = page.locator("#services-table tbody tr", has_text=service.label)
    expect(card).to_contain_text(service.product.name)
    expect(card).to_contain_text(f"Billed until {localtime(service.billed_until):%Y-%m-%d}")
    expect(card.locator(".badge").first).to_be_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.get_by_role("columnheader", name="Order Date")).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("columnheader", name="Order Date")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Activation Date")).to_be_visible()
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
    page.goto(live_server.url + reverse("backoffice:service-list"))  # every client's, with the Client column
    expect(page.get_by_role("columnheader", name="Client")).to_be_visible()
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
