"""Issue 15 in the browser: a staff member uploads the bank's CSV statement (Windows-1250, Polish
headers), sees one transfer matched and one needing a choice, chooses the proforma, records the
payments and follows a recorded line to its proforma; uploading the same file again imports nothing."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _proforma(amount: str, name: str) -> Document:
    client = client_create(actor=None, data=client_data(currency="PLN", company_name=name))
    return proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount)


def test_staff_import_a_bank_statement_and_record_its_payments(live_server, page, log_in, staff, tmp_path):
    home_company_save(actor=None, company_id=default_home_company().pk,
                      data={"proforma_pattern": "PF/{YEAR}/{MONTH}/{NUMBER:4}"})
    exact, partly = _proforma("1234.56", "Kowalski i Syn"), _proforma("100.00", "Nowak sp. z o.o.")
    today = timezone.localdate()
    statement = ("Data księgowania;Kwota;Waluta;Tytuł;Nadawca;Rachunek;Nr referencyjny\r\n"
                 f"{today:%d.%m.%Y};\"{exact.total:.2f}\";PLN;Zapłata za {exact.number.lower()};Jan Kowalski;"
                 "PL61109010140000071219812874;TX-1\r\n"
                 f"{today:%d.%m.%Y};40,00;PLN;{partly.number} zaliczka;Anna Nowak;;TX-2\r\n"
                 f"{today:%d.%m.%Y};-12,30;PLN;Opłata za przelew;Bank;;TX-3\r\n").replace(
        f"\"{exact.total:.2f}\"", "\"" + f"{exact.total:,.2f}".replace(",", " ").replace(".", ",") + "\"")
    path = tmp_path / "wyciag-listopad.csv"
    path.write_bytes(statement.encode("cp1250"))

    log_in("staff@example.com", "correct-horse-battery")
    page.get_by_role("link", name="Bank statements").click()
    expect(page.get_by_role("heading", name="Bank statements")).to_be_visible()
    page.get_by_role("link", name="Upload a statement").click()
    page.get_by_label("CSV file").set_input_files(str(path))
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-upload.png", full_page=True)
    page.get_by_role("button", name="Upload and match").click()

    # Read and matched by a worker: its task page shows the progress, then the result.
    expect(page.get_by_text("3 bookings imported.")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-upload-task.png", full_page=True)
    page.get_by_role("link", name="Review the statement").click()
    lines = page.locator("#bank-lines-table")
    expect(lines.locator("#line-2")).to_contain_text("Matched")
    expect(lines.locator("#line-3")).to_contain_text("Needs a choice")
    expect(lines.locator("#line-3")).to_contain_text("partial payment")
    expect(lines.locator("#line-4")).to_contain_text("Outgoing")
    expect(page.get_by_role("button", name="Record the matched payment (1)")).to_be_enabled()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-review.png", full_page=True)

    # On a phone each line reads whole within the screen (the table ran past its right edge, the
    # titles broken letter by letter, Choose and Ignore reached only by scrolling it sideways).
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.querySelector('#bank-lines-table').parentElement.scrollWidth") <= 390
    for button in (lines.locator("#line-3").get_by_role("button", name="Choose"),
                   lines.locator("#line-3").get_by_role("button", name="Ignore")):
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-review-phone.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.reload()
    lines.locator("#line-3").get_by_role("button", name=f"Pay {partly.number}").click()
    expect(lines.locator("#line-3")).to_contain_text("Chosen by staff")
    page.get_by_role("button", name="Record the matched payments (2)").click()
    expect(page.get_by_text("2 payments recorded.")).to_be_visible()
    page.get_by_role("link", name="Back to the statement").click()
    expect(lines.locator("#line-2")).to_contain_text("Recorded")
    expect(lines.locator("#line-2")).to_contain_text("Invoice")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-recorded.png", full_page=True)
    exact.refresh_from_db()
    partly.refresh_from_db()
    assert exact.status == DocumentStatus.INVOICED
    assert (partly.status, str(partly.paid_gross)) == (DocumentStatus.UNPAID, "40.0000")

    lines.locator("#line-2").get_by_role("link", name=exact.number).click()
    expect(page.get_by_role("heading", name=exact.number)).to_be_visible()

    page.get_by_role("link", name="Bank statements").click()
    expect(page.locator("#bank-statements-table")).to_contain_text("wyciag-listopad.csv")
    for width in (390, 1280):  # the list fits the screen (its counts ran past the right edge)
        page.set_viewport_size({"width": width, "height": 844})
        assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)"
                             "(document.querySelector('#bank-statements-table').parentElement)")
    page.set_viewport_size({"width": 1400, "height": 900})
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-list.png", full_page=True)
    page.get_by_role("link", name="Upload a statement").click()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and match").click()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/bank-refused.png", full_page=True)
    expect(page.get_by_role("alert")).to_contain_text("imported before")
    expect(page.get_by_role("link", name="Upload a statement")).to_be_visible()
