"""A new client's owner gets the welcome e-mail through a real SMTP server and chooses a password
by following its link in the browser; staff see the message on the client's E-mails tab."""

import os
import re

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_the_welcome_link_from_the_email_sets_the_password(page, live_server, log_in, staff, smtp_server, settings):
    settings.CLIENTPANEL_BASE_URL = live_server.url
    log_in("staff@example.com", "correct-horse-battery")
    page.goto(f"{live_server.url}/staff/clients/create/")
    form = page.locator("#client-create-form")
    form.get_by_label("Email").fill("welcome-owner@example.com")
    form.get_by_label("Firstname").fill("Wanda")
    form.get_by_label("Lastname").fill("Welcome")
    form.locator("#id_billing_country").select_option("PL")
    expect(form.get_by_label("Send welcome e-mail")).to_be_checked()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#client-title")).to_have_text("Wanda Welcome")

    (welcome,) = smtp_server.messages  # sent after the commit (Huey's immediate mode in tests)
    link = re.search(r"http://\S+/portal/password/set/\S+/", welcome.get_body(("plain",)).get_content()).group(0)

    page.get_by_role("link", name="E-mails").click()
    expect(page.locator("#email-table")).to_contain_text("welcome-owner@example.com")
    expect(page.locator("#email-table")).to_contain_text("Sent")
    if os.environ.get("E2E_SCREENSHOTS"):  # a folder to look at the pages in
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/emails-tab.png", full_page=True)

    page.goto(link)
    page.locator("#id_password").fill("wanda-chooses-a-passphrase")
    page.locator("#id_password_again").fill("wanda-chooses-a-passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/password-set.png")
    assert User.objects.get(email="welcome-owner@example.com").check_password("wanda-chooses-a-passphrase")
    page.goto(link)
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
