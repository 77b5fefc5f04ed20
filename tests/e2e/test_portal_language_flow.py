"""A client who lands on the portal's English sign-in page switches it to Polish without an account:
the page, its <html lang> and the next page (the password reset request) speak Polish."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_the_sign_in_page_switches_to_polish_and_the_next_page_keeps_it(page, live_server):
    page.goto(f"{live_server.url}/portal/login/?next=/portal/invoices/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in to your account")).to_be_visible()
    switch = page.locator("#language-switch")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    switch.get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Zaloguj się do swojego konta")).to_be_visible()
    assert page.url == f"{live_server.url}/portal/login/?next=/portal/invoices/"
    expect(page.locator("#portal-login input[name=next]")).to_have_value("/portal/invoices/")
    expect(switch.get_by_role("button", name="Polski")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="Nie pamiętasz hasła?").click()
    expect(page).to_have_url(f"{live_server.url}/portal/password/reset/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    switch.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/portal/password/reset/")
