"""The staff panel does not offer what it would refuse (clients.rules.takes_new_business): for a
closed, erased (closed too) or fraud client the Services tab's Add Service and the Invoices tab's
Add Funds are shown disabled, with the reason the service would give (clients.selectors.
new_business_refusal: reopen it, change its status, or — erased — make a new client), and the Add
service page's Save is disabled; for a new, active or inactive client they are offered as before.
Staff still bill a closed client: "Proforma with items" stays."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.selectors import ADDING_FUNDS, ORDERING, new_business_refusal
from clientpanel.privacy.services import client_erase

pytestmark = pytest.mark.django_db

BARRED = [ClientStatus.CLOSED, ClientStatus.FRAUD]
OPEN = [ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE]


def _client(make_client, status):
    client = make_client(currency="USD")
    Client.objects.filter(pk=client.pk).update(status=status)
    client.refresh_from_db()
    return client


def _pages(staff_client, client) -> tuple[str, str, str]:
    return tuple(staff_client.get(reverse(name, args=[client.pk])).content.decode()
                 for name in ("backoffice:client-services", "backoffice:client-invoices", "backoffice:service-add"))


@pytest.mark.parametrize("status", BARRED)
def test_a_closed_or_fraud_client_shows_add_service_and_add_funds_disabled_with_the_reason(
        staff_client, make_client, status):
    client = _client(make_client, status)
    ordering, adding = (escape(str(new_business_refusal(client, doing))) for doing in (ORDERING, ADDING_FUNDS))
    assert ordering.startswith("This client is ") and adding.startswith("This client is ")
    services, invoices, add_page = _pages(staff_client, client)
    assert reverse("backoffice:service-add", args=[client.pk]) not in services
    assert ordering in services and ordering in add_page
    assert 'disabled aria-describedby="add-service-reason" id="add-service"' in services
    assert reverse("backoffice:add-funds", args=[client.pk]) not in invoices
    assert adding in invoices
    assert 'disabled aria-describedby="add-funds-reason" id="add-funds"' in invoices
    assert reverse("backoffice:proforma-create", args=[client.pk]) in invoices  # staff still bill it
    assert 'id="add-service-reason"' in add_page and 'type="submit" disabled' in add_page


@pytest.mark.parametrize("status", OPEN)
def test_a_new_active_or_inactive_client_is_offered_both(staff_client, make_client, status):
    client = _client(make_client, status)
    services, invoices, add_page = _pages(staff_client, client)
    assert f'href="{reverse("backoffice:service-add", args=[client.pk])}" id="add-service"' in services
    assert f'hx-get="{reverse("backoffice:add-funds", args=[client.pk])}"' in invoices
    assert 'id="add-funds"' in invoices and "add-funds-reason" not in invoices
    assert "add-service-reason" not in services + add_page and 'type="submit" disabled' not in add_page


def test_an_erased_client_is_offered_neither(staff_client, make_client):
    client = make_client(currency="USD")
    client_erase(actor=None, client_id=client.pk, confirm=client.number)
    services, invoices, _add_page = _pages(staff_client, client)
    assert reverse("backoffice:service-add", args=[client.pk]) not in services and 'id="add-service-reason"' in services
    assert reverse("backoffice:add-funds", args=[client.pk]) not in invoices and 'id="add-funds-reason"' in invoices
    erased = escape("This client's personal data is erased, so it stays closed. Create a new client for a returning "
                    "customer.")
    assert erased in services and erased in invoices  # not told to reopen what cannot be reopened
    summary = staff_client.get(reverse("backoffice:client-summary", args=[client.pk])).content.decode()
    assert 'id="login-as-owner"' not in summary  # its owner's login is gone with the erasure
