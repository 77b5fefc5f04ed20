"""Funds promised to services not yet active (shortfalls.held_for_pending): three orders sent at
once each saw the whole balance, all were accepted, and the module built machines the client could
not pay — the first period is charged only once the module made the service. An order now leaves
what the client's pending services will take; provisioning leaves the first period of those the
module is making (concurrency audit)."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.client_services.services import provisioning, service_order, service_provision
from clientpanel.client_services.shortfalls import OrderNotCovered, held_for_pending
from clientpanel.clients.models import ClientBalance

from .test_billing import funded_client, make_product
from .test_provisioning_races import provision_at_once

pytestmark = pytest.mark.django_db


def _pending(client, product, price, label: str, **fields) -> Service:
    return Service.objects.create(client=client, product=product, price=price, label=label, currency="USD",
                                  period=price.period, amount=price.amount, setup_fee=price.setup_fee,
                                  order_date=timezone.now(), **fields)


def test_an_order_leaves_what_the_services_still_pending_will_take():
    client = funded_client("30.00")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="20.00", setup="1.50")
    service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)  # 21.50 promised
    assert held_for_pending(client.pk, now=timezone.now()) == Decimal("21.50")
    with pytest.raises(OrderNotCovered) as refused:
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert "less $21.50 for the services still being set up" in refused.value.message
    assert refused.value.shortfall.missing == Decimal("13.00")  # 21.50 + 21.50 - 30.00
    assert Service.objects.filter(client=client).count() == 1


def test_provisioning_leaves_the_first_period_of_a_service_the_module_is_making():
    client = funded_client("30.00")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="20.00")
    _pending(client, product, price, "MAKING", provision_status=ProvisionStatus.IN_PROGRESS)
    waiting = _pending(client, product, price, "WAITS1")
    assert service_provision(service_id=waiting.pk).provision_status == ProvisionStatus.PENDING
    waiting.refresh_from_db()
    assert (waiting.status, waiting.provision_status) == (ServiceStatus.PENDING, ProvisionStatus.PENDING)
    assert not waiting.provisioning_events.exists()  # the module was not asked to create it


def test_a_service_waiting_for_funds_holds_nothing_from_provisioning_another():
    """Only those being made are held there: two waiting services, funds for one, one goes ahead."""
    client = funded_client("30.00")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="20.00")
    first, second = (_pending(client, product, price, label) for label in ("WAIT01", "WAIT02"))
    assert service_provision(service_id=first.pk).status == ServiceStatus.ACTIVE
    assert service_provision(service_id=second.pk).status == ServiceStatus.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_services_provisioned_at_once_are_made_only_as_far_as_the_funds_go(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL")
    client = funded_client("30.00")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="20.00")
    services = [_pending(client, product, price, f"RACE0{n}") for n in range(3)]
    real_run_module = provisioning.run_module

    def slow_module(service, action):
        time.sleep(0.5)  # the module making a machine: the others' checks come meanwhile
        return real_run_module(service, action)

    monkeypatch.setattr(provisioning, "run_module", slow_module)
    assert provision_at_once(services) == []
    made = Service.objects.filter(pk__in=[s.pk for s in services]).exclude(provision_status=ProvisionStatus.PENDING)
    assert [(s.status, s.provision_status) for s in made] == [(ServiceStatus.ACTIVE, ProvisionStatus.COMPLETED)]
    assert ClientBalance.objects.get(pk=client.pk).balance == Decimal("10.00")
