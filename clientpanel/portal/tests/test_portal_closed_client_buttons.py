"""The portal does not offer what it would refuse (clients.rules.takes_new_business): staff logged in
as the owner of a closed or fraud client (nobody else reaches it) find no Order in the menu, no
"Order a service", and no Add funds on the dashboard, the invoices, a service suspended for want of
funds or its shortfall box; the Order and Add funds pages, reached by their address, say why instead
of showing the form (the banner names the status). A new, active or inactive client is offered all
of them, as before."""

import pytest
from django.urls import reverse

from clientpanel.clients.models import Client, ClientStatus

from .acting import acting_for
from .conftest import PASSWORD
from .test_portal_suspended_for_funds import _product, _suspended

pytestmark = pytest.mark.django_db

ORDER, ADD_FUNDS = reverse("portal:order"), reverse("portal:add-funds")


@pytest.fixture
def suspended(make_client):
    """A client whose one service is suspended for insufficient funds, and that service."""
    client = make_client(currency="PLN", password=PASSWORD)
    return client, _suspended(client, _product("vps", "29.99"), "10.52")


def _pages(staff, client, service, status) -> dict[str, str]:
    Client.objects.filter(pk=client.pk).update(status=status)
    browser = acting_for(staff, client)
    names = {"dashboard": reverse("portal:dashboard"), "services": reverse("portal:services"),
             "invoices": reverse("portal:invoices"), "service": reverse("portal:service", args=[service.pk]),
             "order": ORDER, "add_funds": ADD_FUNDS}
    pages = {}
    for name, url in names.items():
        response = browser.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_closed_or_fraud_client_is_offered_no_order_and_no_add_funds(staff, suspended, status):
    client, service = suspended
    pages = _pages(staff, client, service, status)
    for name in ("dashboard", "services", "invoices", "service"):
        assert f'href="{ORDER}' not in pages[name], name
        assert f'href="{ADD_FUNDS}' not in pages[name], name
    assert 'id="funds-shortfall"' in pages["dashboard"] and 'id="service-shortfall"' in pages["service"]
    words = "This client is closed: reopen it" if status == ClientStatus.CLOSED else "This client is marked as fraud"
    assert 'id="order-barred"' in pages["order"] and 'id="order-form"' not in pages["order"]
    assert words in pages["order"] and words in pages["add_funds"]  # as ordering and Add Funds refuse it
    assert 'id="add-funds-barred"' in pages["add_funds"] and 'id="add-funds-form"' not in pages["add_funds"]
    assert 'id="closed-client-note"' in pages["add_funds"]


@pytest.mark.parametrize("status", [ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE])
def test_a_new_active_or_inactive_client_is_offered_order_and_add_funds(staff, suspended, status):
    client, service = suspended
    pages = _pages(staff, client, service, status)
    assert f'href="{ORDER}"' in pages["dashboard"]  # the menu
    assert "Order a service" in pages["services"] and f'href="{ORDER}"' in pages["services"]
    assert 'id="dashboard-add-funds"' in pages["dashboard"] and f'href="{ADD_FUNDS}?amount=' in pages["dashboard"]
    assert 'id="invoices-add-funds"' in pages["invoices"] and 'id="shortfall-add-funds"' in pages["service"]
    assert 'id="order-form"' in pages["order"] and "order-barred" not in pages["order"]
    assert 'id="add-funds-form"' in pages["add_funds"] and "add-funds-barred" not in pages["add_funds"]
