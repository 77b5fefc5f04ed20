"""Provisioning against what happens meanwhile: a service ended while its module creates it, a
step whose worker died, and two services of one client provisioned at once."""

import contextlib
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clientpanel.client_services.models import ProvisionStatus, Service, ServiceCharge, ServiceStatus
from clientpanel.client_services.services import (
    job_provision_pending,
    lifecycle,
    provisioning,
    service_order,
    service_provision,
    service_retry,
    service_terminate,
)
from clientpanel.clients.models import ClientBalance

from .test_billing import funded_client, make_product

pytestmark = pytest.mark.django_db


def test_a_service_terminated_while_its_module_creates_it_stays_ended_and_is_removed_again(staff, monkeypatch):
    """Ended before its create answered, it was never provisioned: cancelled, its setup fee given back."""
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00", setup="2.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    real_run, steps = provisioning.run_module, []

    def create_while_staff_terminate(target, action):
        steps.append(action)
        if action == "create":  # staff end the service while the module is still at work
            service_terminate(actor=staff, service_id=target.pk)
        return real_run(target, action)

    monkeypatch.setattr(provisioning, "run_module", create_while_staff_terminate)
    service_provision(service_id=service.pk)
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLED and service.billed_until is None
    assert steps == ["create", "terminate"]  # what the module made is taken down again
    assert not ServiceCharge.objects.filter(service=service, kind="PERIOD").exists()  # and never charged
    assert ClientBalance.objects.get(pk=client.pk).balance == Decimal("100")


def test_a_step_whose_worker_died_becomes_an_error_staff_can_retry():
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    began = timezone.now() - dt.timedelta(hours=1)
    Service.objects.filter(pk=service.pk).update(provision_status=ProvisionStatus.IN_PROGRESS,
                                                 provision_started_at=began)
    job_provision_pending(now=began + dt.timedelta(minutes=5))  # still within its time: left alone
    assert Service.objects.get(pk=service.pk).provision_status == ProvisionStatus.IN_PROGRESS
    job_provision_pending(now=timezone.now())
    service.refresh_from_db()
    assert service.provision_status == ProvisionStatus.ERROR and "without an answer" in service.provision_error


def provision_at_once(services) -> list[Exception]:
    """Provision each service from a thread of its own, all started together (each on its own
    database connection); answer what they raised."""
    errors = []

    def provision(service_id):
        try:
            service_provision(service_id=service_id)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=provision, args=(s.pk,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_services_of_one_client_provisioned_at_once_spend_its_funds_once(monkeypatch):
    """100.00 and no credit: each service needs a 60.00 setup fee and 20.00 for its first period.
    Both provisionings read the funds at once (a barrier holds the first until the second has read
    too, or gives up waiting): only one may go ahead, and the balance never goes below zero."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL")
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="20.00", setup="60.00")
    # Ordered while the funds covered each alone (an order reserves nothing), not provisioned yet.
    services = [Service.objects.create(client=client, product=product, price=price, label=f"RACE0{n}",
                                       currency="USD", period="MONTHLY", amount=price.amount,
                                       setup_fee=price.setup_fee, order_date=timezone.now()) for n in range(2)]
    both_read = threading.Barrier(2, timeout=2)
    real_funds = provisioning.funds

    def funds_then_wait(target):
        seen = real_funds(target)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other waits on the balance row's lock
            both_read.wait()
        return seen

    monkeypatch.setattr(provisioning, "funds", funds_then_wait)
    assert provision_at_once(services) == []
    assert ClientBalance.objects.get(pk=client.pk).balance >= Decimal(0)
    assert Service.objects.filter(pk__in=[s.pk for s in services], status=ServiceStatus.ACTIVE).count() == 1


def test_retrying_a_step_of_a_service_that_has_ended_removes_never_creates(staff, monkeypatch):
    """A create that failed (or timed out, and may have gone on) for a service staff then ended:
    the retry runs the module's terminate, never create."""
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.TERMINATED,
                                                 provision_status=ProvisionStatus.ERROR)
    real_run, steps = provisioning.run_module, []

    def recorded(target, action):
        steps.append(action)
        return real_run(target, action)

    monkeypatch.setattr(lifecycle, "run_module", recorded)
    service_retry(actor=staff, service_id=service.pk)
    assert steps == ["terminate"]
    service.refresh_from_db()
    assert service.status == ServiceStatus.TERMINATED and service.provision_status == ProvisionStatus.COMPLETED
