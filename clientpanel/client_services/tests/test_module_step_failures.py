"""A module step that fails never makes the client pay for what the module did not do (SPEC §9, "a
failure keeps the error and can be retried"; docs/decisions.md): a failed unsuspend leaves the
service SUSPENDED — the machine still is — uncharged, with the error, and staff's Unsuspend says it
failed; a Retry that succeeds activates and bills it as usual. A failed suspend leaves it SUSPENDED
(billing stopped) with the error, and Retry suspends it. Automation does not ask a failing module
again every pass: the failed step waits for staff, as a failed create does."""

import datetime as dt
from decimal import Decimal

import pytest

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import (
    INSUFFICIENT_FUNDS,
    SUSPENDED_BY_STAFF,
    ProvisioningEvent,
    ProvisionStatus,
    Service,
    ServiceStatus,
)
from clientpanel.client_services.services import (
    job_charge_services,
    job_enforce_credit,
    service_order,
    service_retry,
    service_suspend,
    service_unsuspend,
)
from clientpanel.core.errors import Conflict
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .test_billing import T, at, charges, funded_client, make_product

pytestmark = pytest.mark.django_db



def daily_service(fail: str, funds: str = "100") -> Service:
    """A daily 1.00 USD service of the sample module told to fail `fail`, active from T."""
    client = funded_client(funds)
    product, price = make_product(key=f"daily-{fail}", period="DAILY", amount="1.00", settings={"fail": fail})
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    return service


def steps(service, action: str) -> int:
    return ProvisioningEvent.objects.filter(service=service, action=action).count()


def test_a_failed_unsuspend_leaves_it_suspended_uncharged_and_a_retry_that_succeeds_bills_it(staff, clock):
    service = daily_service("unsuspend")
    clock(T + dt.timedelta(hours=1))
    service_suspend(actor=staff, service_id=service.pk)
    clock(T + dt.timedelta(days=3))  # past its paid day: unsuspending restarts billing
    with pytest.raises(Conflict) as refused:
        service_unsuspend(actor=staff, service_id=service.pk)
    assert refused.value.code == "module_failed"
    assert f"Sample module failed to unsuspend {service.label}." in refused.value.message
    assert "stays suspended" in refused.value.message
    failed = Service.objects.get(pk=service.pk)
    assert (failed.status, failed.suspension_reason, failed.provision_status) == (
        ServiceStatus.SUSPENDED, SUSPENDED_BY_STAFF, ProvisionStatus.ERROR)
    assert failed.provision_error == f"Sample module failed to unsuspend {service.label}."
    assert failed.billed_until == service.billed_until and len(charges(service)) == 1  # charged nothing
    at(T + dt.timedelta(days=4))  # nor by the next passes
    assert len(charges(service)) == 1 and Service.objects.get(pk=service.pk).status == ServiceStatus.SUSPENDED

    Product.objects.filter(pk=service.product_id).update(module_settings={})  # the cause is fixed
    clock(T + dt.timedelta(days=5))
    retried = service_retry(actor=staff, service_id=service.pk)
    assert (retried.status, retried.provision_status, retried.provision_error) == (
        ServiceStatus.ACTIVE, ProvisionStatus.COMPLETED, "")
    assert retried.suspended_at is None and retried.suspension_reason == ""
    assert [c.period_start for c in charges(service)][-1] == T + dt.timedelta(days=5)  # billed from now
    assert retried.billed_until == T + dt.timedelta(days=6)


def test_the_credit_job_does_not_ask_a_failing_module_to_unsuspend_again_every_pass():
    service = daily_service("unsuspend", funds="1.00")  # the first day only
    at(T + dt.timedelta(days=1, minutes=5))
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal("10"), description="Top-up")
    assert job_enforce_credit(now=T + dt.timedelta(days=1, minutes=10))["unsuspended"] == 0
    assert steps(service, "unsuspend") == 1
    failed = Service.objects.get(pk=service.pk)
    assert (failed.status, failed.provision_status) == (ServiceStatus.SUSPENDED, ProvisionStatus.ERROR)
    job_enforce_credit(now=T + dt.timedelta(days=1, minutes=11))
    job_charge_services(now=T + dt.timedelta(days=1, minutes=11))
    assert steps(service, "unsuspend") == 1 and len(charges(service)) == 1  # waits for staff, uncharged


def test_a_failed_suspend_leaves_it_suspended_and_uncharged_and_retry_suspends_it(staff, clock):
    service = daily_service("suspend")
    clock(T + dt.timedelta(hours=1))
    suspended = service_suspend(actor=staff, service_id=service.pk)
    assert (suspended.status, suspended.provision_status) == (ServiceStatus.SUSPENDED, ProvisionStatus.ERROR)
    assert suspended.provision_error == f"Sample module failed to suspend {service.label}."
    at(T + dt.timedelta(days=3))
    assert len(charges(service)) == 1  # billing stopped with the suspension
    Product.objects.filter(pk=service.product_id).update(module_settings={})
    retried = service_retry(actor=staff, service_id=service.pk)
    assert (retried.status, retried.provision_status) == (ServiceStatus.SUSPENDED, ProvisionStatus.COMPLETED)
    assert steps(service, "suspend") == 2 and steps(service, "unsuspend") == 0


def test_a_retry_reruns_the_failed_step_not_a_product_action_that_failed_later(staff, clock, monkeypatch):
    """A reboot that failed is no provisioning step: Retry runs the unsuspend that failed before it."""
    service = daily_service("unsuspend")
    clock(T + dt.timedelta(hours=1))
    service_suspend(actor=staff, service_id=service.pk)
    with pytest.raises(Conflict):
        service_unsuspend(actor=staff, service_id=service.pk)
    ProvisioningEvent.objects.create(service=service, action="reboot", outcome="ERROR", message="no console")
    Product.objects.filter(pk=service.product_id).update(module_settings={})
    assert service_retry(actor=staff, service_id=service.pk).status == ServiceStatus.ACTIVE
    assert steps(service, "reboot") == 1 and steps(service, "unsuspend") == 2
