"""A service's activation and its first period's charge are one transaction: the service.status_changed
webhook (ACTIVE) tells the state after the charge — billed until the period's end, as the API then
shows it — and still comes before the charge's ledger.entry_posted. A first charge refused (the
funds were spent while the module created the service) leaves no trace of itself: the activation is
published billed until its own moment, and billing suspends the service as it always did."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.api import service_out
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import provisioning, service_order, service_provision
from clientpanel.clients.services import client_create
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.webhooks.models import WebhookEndpoint, WebhookMessage
from conftest import client_data

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 18, 41, tzinfo=dt.UTC)


@pytest.fixture
def ordered(db):
    now = timezone.now()
    WebhookEndpoint.objects.create(url="https://crm.example.com/hook", secret="whsec_x", is_active=True,
                                   events=["service.status_changed", "ledger.entry_posted"], created_at=now,
                                   updated_at=now)
    client = client_create(actor=None, data=client_data(currency="USD"))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    product = Product.objects.create(key="vps", name="VPS", module="sample", module_settings={})
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("10"),
                                 setup_fee=Decimal(0))
    return service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)


def sent(service) -> list[tuple[str, dict]]:
    """(event, data) of the service's messages since its order, in delivery order."""
    bodies = [json.loads(m.body) for m in WebhookMessage.objects.filter(ordering_key=str(service.client_id))
              .order_by("pk")]
    return [(b["type"], b["data"]) for b in bodies if b["type"] == "service.status_changed"
            or b["data"]["transaction"]["type"] == "CHARGE"]


def test_the_activation_event_tells_the_state_after_the_first_charge_and_comes_first(ordered):
    service = service_provision(service_id=ordered.pk, now=T)
    (activated, data), (charged, entry) = sent(service)
    assert (activated, data["new_status"], charged) == ("service.status_changed", "ACTIVE", "ledger.entry_posted")
    assert data["service"]["billed_until"] == "2027-10-02T08:18:41+00:00" == entry["transaction"]["period_end"]
    assert data["service"] == service_out(Service.objects.select_related("product").get(pk=service.pk))


def test_a_first_charge_refused_leaves_the_activation_billed_until_now_and_billing_suspends(ordered, monkeypatch):
    create = provisioning.run_module

    def spent_meanwhile(service, action):
        if action == "create":
            entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal("-95"),
                       description="Spent while the module worked")
        return create(service, action)

    monkeypatch.setattr(provisioning, "run_module", spent_meanwhile)
    service = service_provision(service_id=ordered.pk, now=T)
    assert service.status == "SUSPENDED" and service.billed_until == T
    assert [(event, data["new_status"], data["service"]["billed_until"]) for event, data in sent(service)] == [
        ("service.status_changed", "ACTIVE", "2027-09-02T08:18:41+00:00"),
        ("service.status_changed", "SUSPENDED", "2027-09-02T08:18:41+00:00")]


def test_a_first_charge_the_database_fails_leaves_the_service_active_and_charged_after(ordered, monkeypatch):
    """A deadlock or a lock timeout on the first charge must not undo the activation of a service the
    module has built (a Retry would build it twice): the charge comes after, as a refused one does."""
    from django.db import OperationalError

    def deadlocked(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(provisioning, "period_post", deadlocked)
    service = service_provision(service_id=ordered.pk, now=T)
    assert (service.status, service.provision_status) == ("ACTIVE", "COMPLETED")
    assert service.billed_until == dt.datetime(2027, 10, 2, 8, 18, 41, tzinfo=dt.UTC)  # charged after it
    assert [event for event, _data in sent(service)] == ["service.status_changed", "ledger.entry_posted"]
