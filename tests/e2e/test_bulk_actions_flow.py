"""Issue 13 in the browser: a staff member ticks two rows of the client directory, assigns them a
group, follows the task to its result and finds them in the group."""

import pytest
from playwright.sync_api import expect

from clientpanel.clients.models import Client, ClientGroup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_tick_rows_and_assign_a_group(live_server, page, log_in, staff, make_client):
    vip = ClientGroup.objects.create(name="VIP")
    for name in ("Atlas Hosting", "Borealis Cloud", "Cirrus Labs"):
        make_client(company_name=name)

    log_in("staff@example.com", "correct-horse-battery")
    page.get_by_role("link", name="Manage Clients").click()
    bar = page.locator("#bulk-form")
    expect(bar.get_by_role("button", name="Assign group…")).to_be_disabled()
    page.get_by_label("Select Atlas Hosting").check()
    page.get_by_label("Select Cirrus Labs").check()
    expect(bar.locator("[data-bulk-count]")).to_have_text("2")
    expect(page.get_by_label("Select this page")).not_to_be_checked()
    bar.get_by_role("button", name="Assign group…").click()

    expect(page.get_by_role("heading", name="Assign group")).to_be_visible()
    expect(page.locator("#bulk-selection")).to_contain_text("2 clients are selected.")
    page.get_by_label("Group").select_option(label="VIP")
    page.get_by_role("button", name="Run for 2 clients").click()

    result = page.locator("#bulk-result")
    expect(result).to_contain_text("Group set to VIP")
    expect(result).to_contain_text("Changed")
    assert sorted(Client.objects.filter(group=vip).values_list("company_name", flat=True)) == [
        "Atlas Hosting", "Cirrus Labs"]
    result.get_by_role("link", name="Back to the clients").click()
    expect(page.locator("#client-table")).to_contain_text("Borealis Cloud")
