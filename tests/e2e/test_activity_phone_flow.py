"""The activity log on a phone: each event reads as a card within the screen, its changes included
(at 390 px the Changes column sat past the right edge of a sideways-scrolling table)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clientpanel.clients.services import client_create
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_clients_activity_fits_a_phone_and_keeps_its_columns_on_a_desktop(live_server, page, log_in, staff):
    client = client_create(actor=None, data=client_data(currency="PLN", company_name="Kowalski i Syn sp. z o.o."))
    log_in("staff@example.com", "correct-horse-battery")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("backoffice:client-activity", args=[client.pk]))
    table = page.locator("#audit-table")
    expect(table).to_contain_text("Client created")
    assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('#audit-table').parentElement)")
    changes = table.locator("td.audit-changes").first
    expect(changes).to_contain_text("Kowalski i Syn sp. z o.o.")
    box = changes.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(table.locator("thead")).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(table.get_by_role("columnheader", name="Changes")).to_be_visible()
    assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('#audit-table').parentElement)")
