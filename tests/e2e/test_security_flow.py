"""Issue 9 in the browser: Django's admin sends a superuser through the staff login and its code,
then Settings → API tokens creates a token shown once and revokes it."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "first-day-at-work-42"


def test_admin_through_the_staff_login_with_its_code_then_an_api_token(live_server, page):
    root = staff_create(email="root@example.com", password=PASSWORD, superuser=True)
    totp_begin(user=root)
    totp_confirm(user=root, code=pyotp.TOTP(root.totp_secret).now(), password=PASSWORD)
    root.refresh_from_db()

    page.goto(f"{live_server.url}/django-admin/")
    expect(page.get_by_role("heading", name="Clientpanel staff")).to_be_visible()  # the staff login
    page.get_by_label("Email").fill(root.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor code")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(root.totp_secret).at(time.time() + 30))  # the enrolment code is spent
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Clientpanel data (read-only)")).to_be_visible()

    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="API tokens").click()
    form = page.locator("#token-form")
    form.get_by_label("Name").fill("Nightly export")
    form.get_by_label("clients:write").uncheck()
    form.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-secret").inner_text().strip()
    assert secret.startswith("cp_")
    row = page.locator("#token-table tbody tr", has_text="Nightly export")
    expect(row).to_contain_text("active")
    expect(row).not_to_contain_text("clients:write")
    api = page.request.get(f"{live_server.url}/api/v1/clients", headers={"Authorization": f"Bearer {secret}"})
    assert api.status == 200

    page.goto(f"{live_server.url}/staff/settings/api-tokens/")
    expect(page.locator("#new-token-secret")).to_have_count(0)  # shown once
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    expect(page.locator("#token-table tbody tr", has_text="Nightly export")).to_contain_text("revoked")
    api = page.request.get(f"{live_server.url}/api/v1/clients", headers={"Authorization": f"Bearer {secret}"})
    assert api.status == 401
