"""Issue 5 in the browser, following the seed: Services tab → + Add Service → Medium → "Monthly -
$20.00" → Save; then a product whose module fails shows ERROR and its message."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clientpanel.clients.models import Client
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_a_service_and_see_a_failing_one(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    client = Client.objects.filter(currency="USD", billing_country="US").order_by("number").first()
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")

    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.goto(f"{live_server.url}/staff/clients/{client.pk}/")
    page.locator(".nav-tabs").get_by_role("link", name="Services").click()
    page.get_by_role("link", name="+ Add Service").click()
    expect(page.get_by_text(f"Client: {client.owner.email} - {client.display_name}")).to_be_visible()
    page.get_by_label("Product").select_option(label="Medium (proxmox-lxc-medium)")
    page.get_by_label("Price").select_option(label="Monthly - $20.00")
    page.get_by_role("button", name="Save").click()

    row = page.locator("#services-table tbody tr", has_text="proxmox-lxc-medium")
    expect(row).to_contain_text("ACTIVE")
    expect(row).to_contain_text("COMPLETED")
    expect(row).to_contain_text("$20.00 Monthly")

    page.get_by_role("link", name="+ Add Service").click()
    page.get_by_label("Product").select_option(label="VPS Broken (demo of a failing module) (vps-broken)")
    page.get_by_label("Price").select_option(label="Hourly - $0.2969")
    page.get_by_role("button", name="Save").click()
    broken = page.locator("#services-table tbody tr", has_text="vps-broken")
    expect(broken).to_contain_text("ERROR")
    expect(broken).to_contain_text("Post install script failed")
    broken.get_by_role("link").first.click()
    expect(page.locator("#provision-error")).to_have_text("Post install script failed")
    expect(page.locator("#provisioning-log")).to_contain_text("Create")  # the step by its label
