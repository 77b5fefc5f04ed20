"""The credit job reads the services to end once, then ends them one by one; what it read may
change meanwhile (a module's terminate takes seconds). It asks its reason again of each locked row:
a service staff unsuspended — its next period paid — or whose cancellation was withdrawn in the
meantime is left running, never terminated with the period it just paid (concurrency audit)."""

import datetime as dt
from decimal import Decimal

import pytest

from clientpanel.client_services.models import INSUFFICIENT_FUNDS, SUSPENDED_BY_STAFF, Service, ServiceStatus
from clientpanel.client_services.services import (
    job_enforce_credit,
    lifecycle,
    service_cancellation_withdraw,
    service_order,
    service_suspend,
    service_terminate,
    service_unsuspend,
)
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .test_billing import T, at, funded_client, make_product

pytestmark = pytest.mark.django_db


def _meanwhile(monkeypatch, act, step: str = "_terminate"):
    """Run `act(the other service)` right after the job's first termination (or `step`), as staff
    would while that service's module was taking it down."""
    real, done = getattr(lifecycle, step), []

    def terminate_then_act(service_id, **kwargs):
        ended = real(service_id, **kwargs)
        if not done:
            done.append(service_id)
            act(Service.objects.exclude(pk=service_id).get())
        return ended

    monkeypatch.setattr(lifecycle, step, terminate_then_act)
    return done


def _two_hourly_services(funds: str):
    """The set-up every test here starts from: two hourly services (0.40 an hour) of one client with
    these funds, both provisioned and charged their first hour by the pass at T."""
    client = funded_client(funds)
    product, price = make_product(period="HOURLY", amount="0.4000")
    services = [service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
                for _ in range(2)]
    at(T)
    return client, product, services


def test_a_service_unsuspended_and_paid_meanwhile_is_not_terminated(staff, monkeypatch, clock):
    client, product, _services = _two_hourly_services("1.00")
    # both active, 0.80 charged; the next hour finds 0.20: both suspended for funds
    at(T + dt.timedelta(hours=1, minutes=5))
    assert set(Service.objects.values_list("status", "suspension_reason")) == {
        (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)}
    ended_at = T + dt.timedelta(hours=1, minutes=5) + dt.timedelta(hours=product.termination_delay_hours)

    def pay_and_unsuspend(other):
        # 0.50: the hour unsuspending charges, not the other's too
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("0.30"), description="Top-up")
        clock(ended_at)
        assert service_unsuspend(actor=staff, service_id=other.pk).status == ServiceStatus.ACTIVE

    first = _meanwhile(monkeypatch, pay_and_unsuspend)
    assert job_enforce_credit(now=ended_at) == {"unsuspended": 0, "terminated": 1}
    kept = Service.objects.exclude(pk=first[0]).get()
    assert kept.status == ServiceStatus.ACTIVE and kept.billed_until > ended_at  # its paid hour runs


def test_a_service_whose_cancellation_was_withdrawn_meanwhile_is_not_terminated(staff, monkeypatch, clock):
    _client, _product, services = _two_hourly_services("100")
    Service.objects.update(cancel_requested=True)
    after = T + dt.timedelta(hours=1, minutes=1)
    clock(after)
    first = _meanwhile(monkeypatch, lambda other: service_cancellation_withdraw(actor=staff, service_id=other.pk))
    assert job_enforce_credit(now=after)["terminated"] == 1
    kept = Service.objects.exclude(pk=first[0]).get()
    assert kept.status == ServiceStatus.ACTIVE and not kept.cancel_requested
    assert {first[0], kept.pk} == {service.pk for service in services}


def test_a_service_staff_suspended_meanwhile_is_not_brought_back_by_the_job(staff, monkeypatch, clock):
    client, _product, _services = _two_hourly_services("1.00")
    at(T + dt.timedelta(hours=1, minutes=5))  # both suspended for funds
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5"), description="Top-up")
    now = T + dt.timedelta(hours=1, minutes=10)
    clock(now)

    def staff_take_over(other):  # back, then suspended by staff: theirs to lift now
        service_unsuspend(actor=staff, service_id=other.pk)
        service_suspend(actor=staff, service_id=other.pk)

    first = _meanwhile(monkeypatch, staff_take_over, step="_unsuspend")
    job_enforce_credit(now=now)
    kept = Service.objects.exclude(pk=first[0]).get()
    assert (kept.status, kept.suspension_reason) == (ServiceStatus.SUSPENDED, SUSPENDED_BY_STAFF)


def test_what_staff_did_meanwhile_is_not_counted_as_the_job_s(staff, monkeypatch, clock):
    _two_hourly_services("100")
    Service.objects.update(cancel_requested=True)
    after = T + dt.timedelta(hours=1, minutes=1)
    clock(after)
    _meanwhile(monkeypatch, lambda other: service_terminate(actor=staff, service_id=other.pk))
    assert job_enforce_credit(now=after)["terminated"] == 1  # staff ended the other one
    assert set(Service.objects.values_list("status", flat=True)) == {ServiceStatus.TERMINATED}


def test_a_suspended_service_whose_cancellation_was_withdrawn_meanwhile_is_not_terminated(staff, monkeypatch, clock):
    """Suspended by staff, a service cancelled at the end of its period ends with it too: asked
    again under its lock, the one whose cancellation was withdrawn meanwhile stays suspended."""
    _two_hourly_services("100")
    Service.objects.update(cancel_requested=True)
    clock(T + dt.timedelta(minutes=5))
    for service in Service.objects.all():
        service_suspend(actor=staff, service_id=service.pk)
    after = T + dt.timedelta(hours=1, minutes=1)
    clock(after)
    first = _meanwhile(monkeypatch, lambda other: service_cancellation_withdraw(actor=staff, service_id=other.pk))
    assert job_enforce_credit(now=after)["terminated"] == 1
    assert Service.objects.get(pk=first[0]).status == ServiceStatus.TERMINATED
    kept = Service.objects.exclude(pk=first[0]).get()
    assert (kept.status, kept.suspension_reason, kept.cancel_requested) == (
        ServiceStatus.SUSPENDED, SUSPENDED_BY_STAFF, False)
