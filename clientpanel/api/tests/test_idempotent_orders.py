"""Ordering a service charges the balance (setup fee, first period), so it honours Idempotency-Key
like every request that moves money: a retried order answers the service the first one ordered.
And a stored answer is given again only to whoever may still see its client or document: a staff
member unassigned since gets a 404, as for a new request."""

import json
from decimal import Decimal

import pytest

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import Service
from clientpanel.clients.models import StaffAssignment
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db


def post(client, token, path, body, key):
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})


def test_an_order_sent_twice_under_one_key_orders_one_service_and_charges_once(client, api_token, make_client):
    customer = make_client(currency="USD")
    entry_post(client_id=customer.pk, type=EntryType.ADJUSTMENT, net=Decimal("50"), description="Top-up")
    product = Product.objects.create(key="mini", name="Mini", module="sample")
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("8"),
                                 setup_fee=Decimal("2"))
    body = {"product": str(product.pk), "price": price.pk}
    first = post(client, api_token, f"/clients/{customer.pk}/services", body, "order-1")
    again = post(client, api_token, f"/clients/{customer.pk}/services", body, "order-1")
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert first.json()["id"] == again.json()["id"] and Service.objects.count() == 1
    charges = LedgerEntry.objects.filter(client_id=customer.pk, type=EntryType.CHARGE)
    assert charges.count() <= 2  # the setup fee and the first month of one service, at most
    other = post(client, api_token, f"/clients/{customer.pk}/services", {**body, "allow_over_limit": True},
                 "order-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_stored_answer_is_not_given_again_to_a_staff_member_unassigned_since(client, make_client):
    customer = make_client(currency="USD")
    accountant = staff_create(email="acc@example.com", password="correct-horse-battery", roles=["Administrator"],
                              limited_to_assigned_clients=True)
    assignment = StaffAssignment.objects.create(staff=accountant, client=customer)
    _, token = api_token_create(user=accountant)
    issued = post(client, token, f"/clients/{customer.pk}/invoices/add-funds", {"net_amount": "10.00"}, "k1")
    assert issued.status_code == 201
    invoice = proforma_add_funds(actor=None, client_id=customer.pk, net_amount="5")
    paid = post(client, token, f"/invoices/{invoice.pk}/payments", {"amount": str(invoice.total)}, "k2")
    assert paid.status_code == 201
    assignment.delete()
    for path, body, key in [(f"/clients/{customer.pk}/invoices/add-funds", {"net_amount": "10.00"}, "k1"),
                            (f"/invoices/{invoice.pk}/payments", {"amount": str(invoice.total)}, "k2")]:
        replay = post(client, token, path, body, key)
        assert replay.status_code == 404, (path, replay.content)
        assert str(Document.objects.get(pk=issued.json()["id"]).number) not in replay.content.decode()
