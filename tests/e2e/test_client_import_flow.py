"""Issue 13 in the browser: a staff member imports a CSV file of clients — upload, the guessed
columns, the preview with a rejected row, the import of the valid rows, the result and the clients
in the directory."""

import pytest
from playwright.sync_api import expect

from clientpanel.clients.models import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (b"First Name;Last Name;Email Address;Company Name;VAT Number;Country;State\r\n"
       b"Anna;Nowak;anna@example.com;Nowak sp. z o.o.;526-025-09-95;PL;mazowieckie\r\n"
       b"Bob;Smith;bob@example.com;;;US;NY\r\n"
       b"Carl;Jones;carl@example.com;;5260250996;PL;\r\n")


def test_staff_import_a_csv_file_of_clients(live_server, page, log_in, staff, tmp_path):
    path = tmp_path / "whmcs-clients.csv"
    path.write_bytes(CSV)
    log_in("staff@example.com", "correct-horse-battery")
    page.get_by_role("link", name="Manage Clients").click()
    page.get_by_role("link", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Import clients")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_label("Email Address")).to_have_value("email")
    expect(page.get_by_label("VAT Number")).to_have_value("tax_id")
    expect(page.get_by_label("State")).to_have_value("region")
    page.get_by_role("button", name="Check the rows").click()

    expect(page.locator("#import-preview")).to_contain_text("Line 4")
    expect(page.locator("#import-preview")).to_contain_text("check digit")
    expect(page.get_by_role("link", name="Download the rejected rows (CSV)")).to_be_visible()
    page.get_by_label("Import the valid rows even if some are rejected").check()
    page.get_by_role("button", name="Import", exact=True).click()

    result = page.locator(".card").filter(has_text="Created")
    expect(result).to_contain_text("Created")
    expect(page.get_by_role("link", name="Download the rejected rows (CSV)")).to_be_visible()
    assert sorted(Client.objects.values_list("owner__email", flat=True)) == ["anna@example.com", "bob@example.com"]
    page.get_by_role("link", name="Go to the clients").click()
    expect(page.locator("#client-table")).to_contain_text("Nowak sp. z o.o.")
