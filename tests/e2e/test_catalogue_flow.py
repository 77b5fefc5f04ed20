"""Issue 14, item 4 in the browser: staff set an exchange rate, mark a product as deriving its
prices, see the derived price on the Products page, edit a price and retire it; Add Service for a
PLN client then offers the derived price. E2E_SCREENSHOTS=<dir> keeps screenshots of the pages."""

import os

import pytest
from playwright.sync_api import expect

from clientpanel.catalog.services import price_save, product_save
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def test_rates_derived_prices_and_editing_a_price(live_server, page, log_in, staff):
    from clientpanel.clients.services import client_create

    vps = product_save(actor=None, data={"key": "vps-small", "name": "VPS Small"})
    price_save(actor=None, product_id=vps.pk, data={"currency": "USD", "period": "MONTHLY", "amount": "20.00",
                                                    "setup_fee": "5.00"})
    price_save(actor=None, product_id=vps.pk, data={"currency": "USD", "period": "ANNUALLY", "amount": "200.00"})
    price_save(actor=None, product_id=vps.pk, data={"currency": "EUR", "period": "MONTHLY", "amount": "18.00"})
    client = client_create(actor=None, data=client_data(currency="PLN"))

    log_in(staff.email, "correct-horse-battery")
    page.goto(f"{live_server.url}/staff/products/")
    page.locator("#exchange-rates-link").click()
    page.get_by_label("Currency").select_option("PLN")
    page.get_by_label("Rate").fill("4.3127")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#rates-table")).to_contain_text("1 USD = 4.3127 PLN")

    page.goto(f"{live_server.url}/staff/products/{vps.pk}/")
    page.get_by_label("Derive prices in other currencies").check()
    page.locator("#product-form").get_by_role("button", name="Save").click()
    derived = page.locator("#derived-prices-table")
    expect(derived).to_contain_text("Monthly - PLN 86.25")
    expect(derived).to_contain_text("setup PLN 21.56")  # 5.00 × 4.3127 = 21.5635

    annual = page.locator("#prices-table tr", has_text="Annually - $200.00")
    page.once("dialog", lambda dialog: dialog.accept())
    annual.get_by_role("button", name="Retire").click()
    expect(page.locator("#prices-table tr", has_text="Annually - $200.00")).to_contain_text("RETIRED")
    page.locator("#prices-table tr", has_text="Monthly - $20.00").get_by_role("link", name="Edit").click()
    page.get_by_label("Amount").fill("22.00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#derived-prices-table")).to_contain_text("Monthly - PLN 94.88")  # 22 × 4.3127 = 94.8794
    shot(page, "product-edit")
    page.goto(f"{live_server.url}/staff/products/")
    expect(page.locator("#products-table")).to_contain_text("DERIVED")
    shot(page, "products")

    page.goto(f"{live_server.url}/staff/clients/{client.pk}/services/new/")
    page.get_by_label("Product").select_option(label="VPS Small (vps-small)")
    expect(page.get_by_label("Price")).to_contain_text("Monthly - PLN 94.88 (derived at 4.3127)")
    expect(page.get_by_label("Price")).not_to_contain_text("Annually")  # its source is retired
    shot(page, "add-service")
