"""A closed client — an erased one is closed too (privacy.client_erase) — or one marked as fraud is
sold nothing new (rules.client_takes_orders): an order by staff, the API or the portal (staff's
Login as Owner: the client's own users are barred already) is refused with a 409 `client_closed`
that says why, never a 500, and writes nothing. Staff still bill it (docs/decisions.md)."""

import json

import pytest
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.client_services import rules
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import service_order
from clientpanel.clients.models import Client, ClientStatus
from clientpanel.core.errors import Conflict
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import manual_transaction_create

from .test_billing import funded_client, make_product

pytestmark = pytest.mark.django_db

CLOSED_WORDS = "This client is closed: reopen it before ordering a service."
FRAUD_WORDS = "This client is marked as fraud: change its status before ordering a service."


def _set_status(client, status):
    Client.objects.filter(pk=client.pk).update(status=status)
    client.refresh_from_db()


def _order(client, product, price, actor=None):
    return service_order(actor=actor, client_id=client.pk, product_id=product.pk, price_id=price.pk)


@pytest.mark.parametrize(("status", "words"), [(ClientStatus.CLOSED, CLOSED_WORDS), (ClientStatus.FRAUD, FRAUD_WORDS)])
def test_an_order_for_a_closed_or_fraud_client_is_refused_and_writes_nothing(staff, status, words):
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    _set_status(client, status)
    assert not rules.client_takes_orders(client)
    for actor in (None, staff):
        with pytest.raises(Conflict) as refused:
            _order(client, product, price, actor=actor)
        assert (refused.value.code, refused.value.message) == ("client_closed", words)
    # Refused before anything else is judged: no product would do either.
    with pytest.raises(Conflict, match="client"):
        service_order(actor=staff, client_id=client.pk, product_id="no-such-product", price_id=None)
    assert not Service.objects.exists()
    assert not AuditEvent.objects.filter(action="service.order").exists()


@pytest.mark.parametrize("status", [ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE])
def test_an_open_client_orders_and_a_reopened_one_orders_again(staff, status):
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    _set_status(client, ClientStatus.CLOSED)
    with pytest.raises(Conflict):
        _order(client, product, price, actor=staff)
    _set_status(client, status)  # staff reopen it
    assert _order(client, product, price, actor=staff).client_id == client.pk


def test_staff_still_bill_a_closed_client(staff):
    client = funded_client("100")
    _set_status(client, ClientStatus.CLOSED)
    entry, created = manual_transaction_create(actor=staff, client_id=client.pk, amount="-5.00",
                                               description="Late fee")
    assert created and (entry.type, str(entry.net)) == (EntryType.ADJUSTMENT, "-5.0000")


def _post(api, path, body):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=api.headers)


@pytest.mark.parametrize(("status", "words"), [(ClientStatus.CLOSED, CLOSED_WORDS), (ClientStatus.FRAUD, FRAUD_WORDS)])
def test_the_api_answers_a_409_in_the_one_error_shape(api, status, words):
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    _set_status(client, status)
    refused = _post(api, f"/clients/{client.pk}/services", {"product": product.key, "price": price.pk})
    assert refused.status_code == 409, refused.content
    assert refused.json() == {"error": {"code": "client_closed", "message": words, "fields": {}}}
    assert not Service.objects.exists()
    _set_status(client, ClientStatus.ACTIVE)
    assert _post(api, f"/clients/{client.pk}/services", {"product": product.key, "price": price.pk}).status_code == 201


def test_the_staff_panel_shows_the_refusal_on_the_form(staff_client):
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    _set_status(client, ClientStatus.CLOSED)
    page = staff_client.post(reverse("backoffice:service-add", args=[client.pk]),
                             {"product": str(product.pk), "price": str(price.pk)})
    assert page.status_code == 200 and CLOSED_WORDS in page.content.decode()
    assert not Service.objects.exists()


def test_login_as_owner_cannot_order_for_a_closed_client_either(staff_client):
    client = funded_client("100")
    _product, price = make_product(period="MONTHLY", amount="10.00")
    assert staff_client.post(reverse("backoffice:client-login-as", args=[client.pk])).status_code == 302
    _set_status(client, ClientStatus.CLOSED)
    page = staff_client.post(reverse("portal:order"), {"price": str(price.pk)})
    assert page.status_code == 200 and CLOSED_WORDS in page.content.decode()
    assert not Service.objects.exists()
