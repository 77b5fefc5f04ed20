"""A staff member registers a webhook endpoint, copies its secret, sends a test event and sees it
delivered — signed — in the endpoint's delivery log."""

import os

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def test_register_an_endpoint_and_send_it_a_test_event(live_server, page, log_in):
    staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    receiver = Receiver().start()
    try:
        log_in("admin@example.com", "correct-horse-battery")
        page.goto(f"{live_server.url}/staff/settings/webhooks/")
        page.get_by_role("link", name="+ Create").click()
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Description").fill("CRM")
        page.get_by_label("client.created", exact=False).check()
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/webhook-form.png", full_page=True)
        page.get_by_role("button", name="Create endpoint").click()
        secret = page.locator("#webhook-secret-value").inner_text()
        assert secret.startswith("whsec_")
        receiver.secret = secret
        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("A test event is on its way")).to_be_visible()
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once
        page.reload()
        row = page.locator("#webhook-log tbody tr").first
        expect(row).to_contain_text("webhook.test")
        expect(row).to_contain_text("Delivered")
        expect(row).to_contain_text("HTTP 200")
        assert [r.verified for r in receiver.accepted()] == [True]
        if SHOTS:
            row.locator("summary").click()
            page.screenshot(path=f"{SHOTS}/webhook-detail.png", full_page=True)
            page.goto(f"{live_server.url}/staff/settings/webhooks/")
            page.screenshot(path=f"{SHOTS}/webhook-list.png", full_page=True)
    finally:
        receiver.stop()
