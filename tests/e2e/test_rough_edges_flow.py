"""Issue 14, item 9 in the browser: no script error after a refused create, the panel's own error
pages, confirmations before Suspend and the tax presets."""

import re

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "first-day-at-work-42"
SHOTS = "/tmp/work/shots"


def errors_of(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_a_refused_create_leaves_no_script_error(live_server, page, log_in):
    staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    errors = errors_of(page)
    log_in("admin@example.com", PASSWORD)

    page.goto(f"{live_server.url}/staff/clients/create/")
    form = page.locator("#client-create-form")
    form.get_by_label("Email").fill("someone@example.com")
    form.get_by_label("Tax ID").fill("PL5260250996")
    form.get_by_label("Country").select_option("PL")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".invalid-feedback").first).to_be_visible()
    page.screenshot(path=f"{SHOTS}/create_refused.png", full_page=True)

    page.get_by_role("button", name="+ Quick Create Client").click()
    modal = page.locator("#quick-create")
    modal.get_by_role("button", name="Save").click()
    expect(modal.locator(".invalid-feedback").first).to_be_visible()
    modal.get_by_label("Email").fill("quick@example.com")
    modal.get_by_role("button", name="Save").click()
    expect(modal.locator(".invalid-feedback").first).to_be_visible()
    page.screenshot(path=f"{SHOTS}/quick_create_refused.png", full_page=True)
    assert errors == []


def test_an_unknown_page_is_the_panels_own(live_server, page, log_in):
    staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    log_in("admin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/staff/clients/")
    page.goto(f"{live_server.url}/staff/no-such-page/", referer=f"{live_server.url}/staff/clients/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/404_staff.png", full_page=True)
    page.get_by_role("link", name="← Back").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    page.goto(f"{live_server.url}/portal/no-such-page/")
    page.screenshot(path=f"{SHOTS}/404_portal.png", full_page=True)
    page.get_by_role("link", name="Back to the client area").click()
    expect(page).to_have_url(re.compile(r"/portal/"))


def test_the_tax_rule_form_is_a_grid_and_says_a_bad_rate_once(live_server, page, log_in):
    from clientpanel.tax.selectors import default_home_company

    staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    log_in("admin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/staff/settings/home-companies/{default_home_company().pk}/rules/new/")
    form = page.locator("#tax-rule-form")
    form.get_by_label("Tax 1").fill("VAT")
    form.get_by_label("Rate 1 (%)").fill("23.1234")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_text("At most 3 decimal places.")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/tax_rule_form.png", full_page=True)
