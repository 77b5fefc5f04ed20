"""Issue 16 in the browser: a Polish company issues e-invoices in KSeF FA(3). A euro invoice waits
for the NBP rate of the last working day — its page says which; the accountant enters the rate
under Finance → Tax exchange rates (the e-invoice is made at once), downloads the file and records
the KSeF number KSeF gave it."""

import os

import pytest
from playwright.sync_api import expect

from clientpanel.clients.services import client_create
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.exporters import get_exporter
from clientpanel.einvoices.rates import previous_working_day
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")
NIP = "5260250995"


def test_an_accountant_completes_a_euro_invoices_ksef_file(live_server, page, log_in, staff, tmp_path):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": NIP, "eu_vat_id": f"PL{NIP}",
        "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001", "time_zone": "Europe/Warsaw"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    client = client_create(actor=None, data=client_data(currency="EUR", company_name="Klient sp. z o.o.",
                                                        tax_id="7740001454"))
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    invoice = proforma.related
    day = previous_working_day(invoice.issue_date.astimezone(invoice.home_company.zone).date())  # the seller's day

    log_in("staff@example.com", "correct-horse-battery")
    page.goto(f"{live_server.url}/staff/documents/{invoice.pk}/")
    card = page.locator("#einvoice")
    expect(card.locator("#einvoice-status")).to_have_text("Could not be made")
    expect(card.locator("#einvoice-error")).to_contain_text(f"EUR for {day.isoformat()}")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/einvoice-waiting.png", full_page=True)

    page.get_by_role("link", name="Tax exchange rates").click()
    page.get_by_label("Currency", exact=True).first.fill("EUR")
    page.get_by_label("Day of the rate").fill(day.isoformat())
    page.get_by_label("PLN for one unit").fill("4,2345")
    page.get_by_label("NBP table number (optional)").fill("225/A/NBP/2026")
    page.get_by_role("button", name="Save the rate").click()
    expect(page.locator("#vat-rates-table")).to_contain_text("4.2345")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/einvoice-rates.png", full_page=True)

    page.goto(f"{live_server.url}/staff/documents/{invoice.pk}/")  # made once the rate it waited for came
    expect(card.locator("#einvoice-status")).to_have_text("Made")
    with page.expect_download() as download:
        page.locator("#download-einvoice").click()
    saved = tmp_path / "invoice.xml"
    download.value.save_as(saved)
    content = saved.read_bytes()
    assert get_exporter("ksef_fa3").validate(content) == [] and b"<P_14_1W>" in content

    day = f"{invoice.issue_date.astimezone(invoice.home_company.zone):%Y%m%d}"  # the seller's day, any day
    number = f"{NIP}-{day}-0100A0B1C2D3-4F"
    card.get_by_label("KSeF number, once KSeF accepted the file").fill(f"1111111111-{day}-0100A0B1C2D3-4F")
    card.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert").first).to_contain_text("names the tax number 1111111111")
    card.get_by_label("KSeF number, once KSeF accepted the file").fill(number)
    card.get_by_role("button", name="Record").click()
    expect(card.locator("#einvoice-status")).to_have_text("Accepted")
    expect(card.locator("#ksef-number")).to_have_text(number)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/einvoice-accepted.png", full_page=True)
