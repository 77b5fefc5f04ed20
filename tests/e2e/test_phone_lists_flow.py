"""The staff panel's lists on a phone (390 px): neither the page nor a list's table scrolls sideways.
At 390 px the Services list and a client's Services tab were tables wider than the screen (their
status badges, dates and price past the right edge); each row of a list now reads as a card
(base.html: .cp-cards) without the columns a phone can do without, which a desktop keeps.
The cards hide the header whose column names sort and whose box selects the page: a phone sorts
with a "Sort by" choice and two directions ({% sort_picker %}), and keeps "Select this page"."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import localtime
from playwright.sync_api import expect

from clientpanel.accounts.models import User
from clientpanel.client_services.models import Service
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients.models import Client
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


def test_a_phone_sorts_the_lists_and_selects_a_page_for_bulk_actions(live_server, page, browser, log_in):
    call_command("seed_demo", "--clients", "8")
    admin = User.objects.get(email="admin@clientpanel.example")
    status = Counter(Client.objects.values_list("status", flat=True)).most_common(1)[0][0]
    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.set_viewport_size(PHONE)
    directory = live_server.url + reverse("backoffice:client-list")
    names = page.locator("#client-table tbody td.cp-card-head a")

    def expected(sort: str) -> list[str]:
        return [c.display_name for c in client_selectors.client_directory(
            actor=admin, status=status, sort=sort, page_size=10).results]

    # The directory (htmx): a column chosen keeps the direction, then the other direction; the
    # filters and page size stay in the address, and a filter changed afterwards keeps the sort.
    page.goto(f"{directory}?status={status}&page_size=10")
    expect(page.get_by_role("columnheader", name="Client")).to_be_hidden()
    page.locator("#directory-sort-picker-by").select_option(label="Client")
    expect(page).to_have_url(re.compile(r"[?&]sort=-display_name(&|$)"))
    expect(names.first).to_have_text(expected("-display_name")[0])
    assert names.all_inner_texts() == expected("-display_name")
    page.locator("#directory-sort-picker-ascending").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=display_name(&|$)"))
    assert f"status={status}" in page.url and "page_size=10" in page.url
    expect(names.first).to_have_text(expected("display_name")[0])
    assert names.all_inner_texts() == expected("display_name")
    assert len(expected("display_name")) > 1
    page.locator("#directory-filters select[name=page_size]").select_option("25")
    expect(page).to_have_url(re.compile(r"page_size=25"))
    assert "sort=display_name" in page.url  # the filter form once sent the page's first sort back
    assert names.all_inner_texts() == expected("display_name")

    # "Select this page" ticks every card of the page for the bulk actions, and unticks them.
    select_page = page.locator("#client-table thead label[for=bulk-page]")
    expect(select_page).to_be_visible()
    select_page.click()
    rows = page.locator("#client-table input[data-bulk-row]")
    expect(page.locator("#client-table input[data-bulk-row]:not(:checked)")).to_have_count(0)
    expect(page.locator("#bulk-selected")).to_contain_text(str(rows.count()))
    expect(page.get_by_role("button", name="Export selected")).to_be_enabled()
    select_page.click()
    expect(page.locator("#client-table input[data-bulk-row]:checked")).to_have_count(0)
    expect(page.get_by_role("button", name="Export selected")).to_be_disabled()

    # The Users list (no htmx): the choice reloads the page.
    users = page.locator("#user-table tbody td.cp-card-head a")
    page.goto(live_server.url + reverse("backoffice:user-list") + "?kind=client")
    page.locator("#user-sort-picker-by").select_option(label="Email")
    expect(page).to_have_url(re.compile(r"kind=client&sort=-email$"))
    emails = list(client_selectors.users_visible_to(admin, kind="client").order_by("-email", "id")
                  .values_list("email", flat=True)[:25])
    assert users.all_inner_texts() == emails

    # In Polish, and where the header shows (a desktop) the picker does not.
    page.locator("#language-switch button[value=pl]").click()
    expect(page.locator("#user-sort-picker label")).to_have_text("Sortuj według")
    page.locator("#user-sort-picker-ascending").click()
    expect(page).to_have_url(re.compile(r"sort=email$"))
    assert users.all_inner_texts() == sorted(emails)
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#user-sort-picker")).to_be_hidden()
    page.goto(directory)
    expect(page.locator("#directory-sort-picker")).to_be_hidden()
    expect(page.locator("#client-table thead label[for=bulk-page]")).to_be_hidden()
    expect(page.locator("#bulk-page")).to_be_visible()

    # Without script the picker is a form with a Sort button, which reloads the directory.
    plain = browser.new_context(viewport=PHONE, java_script_enabled=False)
    plain.add_cookies(page.context.cookies())
    bare = plain.new_page()
    bare.goto(f"{directory}?status={status}&sort=display_name")
    bare.locator("#directory-sort-picker-by").select_option(label="Saldo")
    bare.locator("#directory-sort-picker").get_by_role("button", name="Sortuj").click()
    expect(bare).to_have_url(re.compile(rf"status={status}&sort=balance$"))
    assert bare.locator("#client-table tbody td.cp-card-head a").all_inner_texts() == expected("balance")
    plain.close()
