"""The dashboard reads well in print (issue 14): printed, the menu, the top bar and the buttons go,
the cards and their charts stay."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_printed_dashboard_shows_its_figures_without_the_panels_chrome(live_server, page, log_in):
    call_command("seed_demo", "--clients", "8")
    log_in("admin@clientpanel.example", "demo-admin-2026")
    page.goto(f"{live_server.url}/staff/")
    expect(page.locator(".cp-sidebar")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".cp-sidebar")).to_be_hidden()
    expect(page.locator("header.navbar")).to_be_hidden()
    expect(page.locator("#card-revenue")).to_be_visible()
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
