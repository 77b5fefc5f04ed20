"""The client portal as a client would use it: log in, switch between its clients, add funds and
download the proforma's PDF, invite a colleague who chooses a password from the e-mail (a real SMTP
server) and logs in; and staff's Login as Owner from the Summary tab and back."""

import os
import re

import pytest
from playwright.sync_api import expect

from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-owner-passphrase"


def _shot(page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):  # a folder to look at the pages in
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def test_a_client_user_switches_adds_funds_and_invites_a_colleague(page, browser, live_server, make_client,
                                                                    smtp_server, settings, portal_log_in):
    settings.CLIENTPANEL_BASE_URL = live_server.url
    first = make_client(company_name="First Ltd", currency="USD", email="owner@example.com", password=PASSWORD)
    second = make_client(company_name="Second GmbH", currency="EUR")
    # The home company gives an account to pay by transfer to. An earlier browser test's flush may
    # have taken the migrations' default company away: default_home_company() makes it again first.
    default_home_company()
    HomeCompany.objects.update(bank_details="PL61 1090 1014 0000 0712 1981 2874")
    client_user_link(actor=None, client_id=second.pk, data={
        "email": "owner@example.com", "permissions": [keys.MANAGE_INVOICES, keys.MANAGE_USERS]})

    portal_log_in(page, "owner@example.com", PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("First Ltd"))).to_be_visible()
    _shot(page, "portal-dashboard")
    # The switcher submits through panel.js; a choice made before the page's scripts ran does nothing.
    page.wait_for_load_state("load")
    page.locator("#client-switcher select").select_option(str(second.pk))
    expect(page.get_by_role("heading", name=re.compile("Second GmbH"))).to_be_visible()
    expect(page.locator(".alert-info")).to_contain_text("You now act for Second GmbH")

    page.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="Add funds").click()
    page.get_by_label("Amount (net)").fill("40")
    page.get_by_role("button", name=re.compile("Add funds|Issue")).click()
    expect(page.locator("#transfer-title")).to_be_visible()
    _shot(page, "portal-proforma")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("link", name="Users").click()
    invite = page.locator("#invite-form")
    invite.get_by_label("Email").fill("colleague@example.com")
    invite.get_by_label("First name").fill("Carla")
    invite.get_by_label("Last name").fill("Colleague")
    invite.get_by_label("Manage Invoices").check()
    invite.get_by_role("button", name="Invite").click()
    expect(page.locator("#portal-users")).to_contain_text("colleague@example.com")
    _shot(page, "portal-users")

    invitation = next(m for m in smtp_server.messages if m["To"] == "colleague@example.com")
    link = re.search(r"http://\S+/portal/password/set/\S+/", invitation.get_body(("plain",)).get_content()).group(0)
    colleague = browser.new_context().new_page()
    colleague.goto(link)
    colleague.locator("#id_password").fill("carla-chooses-a-passphrase")
    colleague.locator("#id_password_again").fill("carla-chooses-a-passphrase")
    colleague.get_by_role("button", name="Set password").click()
    expect(colleague.get_by_role("heading", name="Your password is set")).to_be_visible()
    portal_log_in(colleague, "colleague@example.com", "carla-chooses-a-passphrase")
    expect(colleague.get_by_role("heading", name=re.compile("Second GmbH"))).to_be_visible()
    expect(colleague.get_by_role("link", name="Invoices")).to_be_visible()
    expect(colleague.get_by_role("link", name="Users")).to_have_count(0)
    colleague.context.close()
    assert first.pk != second.pk


def test_login_as_owner_from_the_summary_and_back(page, live_server, log_in, staff, make_client):
    owned = make_client(company_name="Owned Co", currency="USD")
    log_in("staff@example.com", "correct-horse-battery")
    page.goto(f"{live_server.url}/staff/clients/{owned.pk}/")
    page.locator("#login-as-owner").click()
    expect(page.locator("#impersonation-banner")).to_contain_text(owned.owner.email)
    expect(page.get_by_role("heading", name=re.compile("Owned Co"))).to_be_visible()
    _shot(page, "portal-login-as-owner")
    page.locator("#account-link").click()
    expect(page.locator("#credentials-locked")).to_be_visible()
    page.get_by_role("button", name="Return to the staff panel").click()
    expect(page.locator("#client-title")).to_have_text("Owned Co")
    page.goto(f"{live_server.url}/portal/")
    expect(page).to_have_url(re.compile(r"/portal/login/"))
