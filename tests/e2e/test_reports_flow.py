"""Issue 14 in the browser: the dashboard's Owing card leads to the unpaid documents; Finance →
Reports opens each report, which fits a phone's width (390 px) without scrolling sideways, and the
aging report's documents download as CSV. E2E_SCREENSHOTS=<dir> keeps screenshots of the pages."""

import csv
import io
import os

import pytest
from playwright.sync_api import expect

from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REPORTS = ("revenue", "tax", "aging", "balances")


def shot(page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def test_dashboard_card_to_its_list_then_a_reports_csv(live_server, page, log_in, staff):
    from clientpanel.clients.services import client_create

    client = client_create(actor=None, data=client_data(currency="EUR", company_name="Report Hosting"))
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    owed = proforma_add_funds(actor=None, client_id=client.pk, net_amount="40.00")

    log_in(staff.email, "correct-horse-battery")
    page.locator("#card-owing").get_by_role("link", name="Unpaid documents").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    expect(page.locator("main")).to_contain_text(owed.number)

    page.get_by_role("link", name="Reports", exact=True).first.click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    page.locator("#report-revenue").click()
    expect(page.locator("#table-period")).to_contain_text("EUR")
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    page.get_by_role("link", name="Aging of unpaid documents").click()
    expect(page.locator("#table-documents")).to_contain_text(owed.number)
    with page.expect_download() as download:
        page.locator("#export-documents").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Number" and rows[1][0] == owed.number and rows[1][-2:] == [f"{owed.total:.2f}", "Not yet due"]

    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for report in REPORTS:
            page.goto(f"{live_server.url}/staff/finance/reports/{report}/")
            expect(page.locator("#report-filters")).to_be_visible()
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (report, width, overflow)
            shot(page, f"report-{report}-{width}")
