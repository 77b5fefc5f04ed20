"""A service never provisioned whose module's create was attempted may exist all the same: a create
that timed out or crashed may have gone on and built it. Ending such a service — staff's Terminate,
the client's Cancel now, the pending job — gives back what it was charged (once) and runs the
module's terminate after the commit, once. A service whose create was never attempted (still waiting
for funds) made nothing, so nothing is terminated."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisioningEvent, ProvisionStatus, Service, ServiceStatus
from clientpanel.client_services.provision_errors import CRASHED, TIMEOUT
from clientpanel.client_services.services import (
    CANCEL_NOW,
    job_provision_pending,
    service_cancellation_request,
    service_order,
    service_provision,
    service_retry,
    service_terminate,
)
from clientpanel.clients.actors import portal_actor
from clientpanel.core.errors import Conflict
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .test_billing import funded_client, make_product
from .test_never_provisioned import balance, reversals

pytestmark = pytest.mark.django_db


def steps(service, action: str) -> int:
    return ProvisioningEvent.objects.filter(service=service, action=action).count()


def ordered(module_settings: dict, funds: str = "100", key: str = "acct-slow"):
    client = funded_client(funds)
    product, price = make_product(key=key, period="MONTHLY", amount="10.00", setup="5.00",
                                  settings=module_settings)
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    return client, service


@pytest.fixture
def timed_out(settings):
    """The module's create runs past PROVISIONING_TIMEOUT (and may well finish the account after)."""
    settings.PROVISIONING_TIMEOUT = 0.05
    client, service = ordered({"fail": "create", "hang_seconds": 0.3})
    service_provision(service_id=service.pk)
    service.refresh_from_db()
    assert (service.status, service.provision_status, service.provision_error_code) == (
        ServiceStatus.PENDING, ProvisionStatus.ERROR, TIMEOUT)
    assert balance(client) == Decimal("95")  # its setup fee charged
    return client, service


def test_cancel_now_after_a_create_that_timed_out_runs_the_modules_terminate_once(
        timed_out, django_capture_on_commit_callbacks):
    client, service = timed_out
    owner = portal_actor(client.owner, client.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ended = service_cancellation_request(actor=owner, service_id=service.pk, when=CANCEL_NOW)
    assert ended.status == ServiceStatus.CANCELLED
    assert steps(service, "terminate") == 1
    # The terminate succeeded: nothing is left to retry; the fee went back once.
    ended.refresh_from_db()
    assert ended.provision_status == ProvisionStatus.COMPLETED
    assert [entry.net for entry in reversals(service)] == [Decimal("5")] and balance(client) == Decimal("100")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        service_cancellation_request(actor=owner, service_id=service.pk, when=CANCEL_NOW)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        service_terminate(actor=None, service_id=service.pk)
    assert steps(service, "terminate") == 1
    assert len(reversals(service)) == 1 and balance(client) == Decimal("100")


def test_staff_terminating_a_service_whose_create_crashed_runs_the_modules_terminate(
        staff, django_capture_on_commit_callbacks):
    client, service = ordered({"fail": "create", "hang_seconds": "not a number"})  # the module raises ValueError
    service_provision(service_id=service.pk)
    service.refresh_from_db()
    assert (service.provision_status, service.provision_error_code) == (ProvisionStatus.ERROR, CRASHED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ended = service_terminate(actor=staff, service_id=service.pk)
    assert len(callbacks) == 1
    assert ended.status == ServiceStatus.CANCELLED and steps(service, "terminate") == 1
    assert [entry.net for entry in reversals(service)] == [Decimal("5")] and balance(client) == Decimal("100")


def test_a_terminate_that_fails_keeps_the_error_for_staff_to_retry(staff, django_capture_on_commit_callbacks):
    client, service = ordered({"fail": "all"})
    service_provision(service_id=service.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ended = service_terminate(actor=staff, service_id=service.pk)
    ended.refresh_from_db()
    assert (ended.status, ended.provision_status) == (ServiceStatus.CANCELLED, ProvisionStatus.ERROR)
    assert steps(service, "terminate") == 1
    Product.objects.filter(pk=service.product_id).update(module_settings={})
    assert service_retry(actor=staff, service_id=service.pk).provision_status == ProvisionStatus.COMPLETED
    assert steps(service, "terminate") == 2 and steps(service, "create") == 1  # never created again
    assert len(reversals(service)) == 1 and balance(client) == Decimal("100")


def test_the_pending_job_cancelling_a_service_whose_create_was_attempted_runs_its_terminate(
        staff, django_capture_on_commit_callbacks):
    """A failed create, retried when the funds had gone: PENDING again, cancelled by the job."""
    client, service = ordered({"fail": "create"}, funds="15")
    service_provision(service_id=service.pk)
    Product.objects.filter(pk=service.product_id).update(module_settings={})
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("-10"), description="Spent")
    service_retry(actor=staff, service_id=service.pk)
    service.refresh_from_db()
    assert (service.status, service.provision_status) == (ServiceStatus.PENDING, ProvisionStatus.PENDING)
    later = timezone.now() + dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_provision_pending(now=later)["cancelled"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        job_provision_pending(now=later)  # a second pass: nothing more
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLED and steps(service, "terminate") == 1
    assert [entry.net for entry in reversals(service)] == [Decimal("5")] and balance(client) == Decimal("5")


def test_a_service_whose_create_never_ran_is_cancelled_without_a_terminate(staff, django_capture_on_commit_callbacks):
    client, unfunded = ordered({})  # its funds spent before it was provisioned: staff end this one
    _client, waiting = ordered({}, key="acct-waiting")  # and the job cancels this one past the delay
    for owner in (client, _client):
        entry_post(client_id=owner.pk, type=EntryType.ADJUSTMENT, net=Decimal("-100"), description="Spent")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        service_terminate(actor=staff, service_id=unfunded.pk)
        assert job_provision_pending(now=timezone.now() + dt.timedelta(days=30))["cancelled"] == 1
    assert callbacks == []
    assert {s.status for s in Service.objects.filter(pk__in=[waiting.pk, unfunded.pk])} == {ServiceStatus.CANCELLED}
    assert not ProvisioningEvent.objects.filter(service__in=[waiting, unfunded]).exists()


def test_a_service_ended_while_its_create_runs_is_terminated_once_by_the_provisioning_or_the_stalled_pass(
        staff, django_capture_on_commit_callbacks):
    """Not by its end: the create still running removes what it made when it returns (provisioning.py);
    when its worker was lost, the pass that finds the create stalled runs the terminate."""
    client, service = ordered({})
    began = timezone.now() - dt.timedelta(hours=1)
    Service.objects.filter(pk=service.pk).update(provision_status=ProvisionStatus.IN_PROGRESS,
                                                 provision_started_at=began)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert service_terminate(actor=staff, service_id=service.pk).status == ServiceStatus.CANCELLED
    assert callbacks == [] and steps(service, "terminate") == 0
    with django_capture_on_commit_callbacks(execute=True):
        job_provision_pending(now=timezone.now())  # its worker never answered
    with django_capture_on_commit_callbacks(execute=True):
        job_provision_pending(now=timezone.now())
    service.refresh_from_db()
    assert steps(service, "terminate") == 1 and service.provision_status == ProvisionStatus.COMPLETED
    assert service.status == ServiceStatus.CANCELLED and balance(client) == Decimal("100")
