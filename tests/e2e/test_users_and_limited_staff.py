"""Issue 3 in the browser: associate a user with Manage Services only; a limited staff member
cannot reach a client outside their assignment, by search or by URL."""

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import ClientUser, StaffAssignment
from clientpanel.clients.services import client_create
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "first-day-at-work-42"


def test_associate_user_then_limited_staff_cannot_reach_other_clients(live_server, page, log_in):
    staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    limited = staff_create(email="agent@example.com", password=PASSWORD, roles=["Support"],
                           limited_to_assigned_clients=True)
    assigned = client_create(actor=None, data=client_data(company_name="Assigned Hosting"))
    hidden = client_create(actor=None, data=client_data(company_name="Hidden Hosting"))
    StaffAssignment.objects.create(staff=limited, client=assigned)

    log_in("admin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/staff/clients/{assigned.pk}/users/")
    page.get_by_role("button", name="+ Associate User").click()
    modal = page.locator("#modal")
    modal.get_by_label("Email").fill("devops@example.com")
    modal.get_by_label("Firstname").fill("Dev")
    modal.get_by_label("Lastname").fill("Ops")
    modal.get_by_label("Manage Services").check()
    modal.get_by_role("button", name="Save").click()
    row = page.locator("#client-users-table tr", has_text="devops@example.com")
    expect(row).to_contain_text("Manage Services")
    expect(row).not_to_contain_text("Manage Invoices")
    link = ClientUser.objects.get(client=assigned, user__email="devops@example.com")
    assert link.permissions == ["manage-services"]
    page.get_by_role("button", name="Log out").click()

    log_in("agent@example.com", PASSWORD)
    page.get_by_role("link", name="Manage Clients").click()
    page.get_by_role("searchbox", name="Search").fill("hosting")
    expect(page.locator("#client-table tbody tr")).to_have_count(1)
    expect(page.locator("#client-table")).to_contain_text("Assigned Hosting")
    expect(page.locator("#client-table")).not_to_contain_text("Hidden Hosting")
    response = page.goto(f"{live_server.url}/staff/clients/{hidden.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/staff/clients/{assigned.pk}/")
    assert response.status == 200
