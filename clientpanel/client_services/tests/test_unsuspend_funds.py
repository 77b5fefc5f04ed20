"""Unsuspending a service suspended for insufficient funds (SPEC §9): refused while the client's
balance + credit limit do not cover the charge it would post at once — billing would suspend it
again straight after the module's unsuspend — and done as before once they do, or when staff
suspended it. Refusals name the service's status in the reader's language, never its code."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.client_services.models import INSUFFICIENT_FUNDS, ProvisioningEvent, Service, ServiceStatus
from clientpanel.client_services.services import (
    job_enforce_credit,
    service_action,
    service_order,
    service_suspend,
    service_terminate,
    service_unsuspend,
)
from clientpanel.clients.models import Client
from clientpanel.core.errors import Conflict
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import InsufficientFunds, entry_post

from .test_billing import T, at, charges, funded_client, make_product

pytestmark = pytest.mark.django_db



def suspended_for_funds(top_up: str) -> Service:
    """The audit's case: an hourly service at 0.9271 USD suspended when its second hour found 0.0729
    USD; then `top_up` added."""
    client = funded_client("1.00")
    product, price = make_product(period="HOURLY", amount="0.9271")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    at(T + dt.timedelta(hours=1, minutes=5))
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(top_up), description="Top-up")
    return service


def test_unsuspend_is_refused_while_funds_do_not_cover_the_next_charge(staff, clock):
    service = suspended_for_funds("0.7908")  # 0.8637 USD: less than the hour's 0.9271
    clock(T + dt.timedelta(hours=2))
    steps_before = ProvisioningEvent.objects.filter(service=service).count()
    with pytest.raises(InsufficientFunds) as refused:
        service_unsuspend(actor=staff, service_id=service.pk)
    assert "$0.9271" in refused.value.message and "$0.8637" in refused.value.message
    assert "add funds" in refused.value.message
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    # Nothing was asked of the module and nothing charged: no unsuspend-then-suspend.
    assert ProvisioningEvent.objects.filter(service=service).count() == steps_before
    assert len(charges(service)) == 1


def test_unsuspend_goes_ahead_once_funds_cover_the_next_charge(staff, clock):
    service = suspended_for_funds("0.8542")  # 0.9271 USD: exactly the next hour
    moment = T + dt.timedelta(hours=2)
    clock(moment)
    result = service_unsuspend(actor=staff, service_id=service.pk)
    assert result.status == ServiceStatus.ACTIVE and result.billed_until == moment + dt.timedelta(hours=1)
    assert [c.period_start for c in charges(service)] == [T, moment]
    assert Client.objects.get(pk=service.client_id).balance == Decimal("0")


def test_a_staff_suspension_is_lifted_as_before_whatever_the_funds(staff, clock):
    client = funded_client("0.9271")  # the first hour, then nothing
    product, price = make_product(period="HOURLY", amount="0.9271")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(minutes=10))
    service_suspend(actor=staff, service_id=service.pk)
    clock(T + dt.timedelta(minutes=20))  # inside the paid hour: nothing is due now
    assert service_unsuspend(actor=staff, service_id=service.pk).status == ServiceStatus.ACTIVE


def test_the_answer_is_the_service_as_billing_left_it(staff, clock):
    """A staff suspension lifted past its paid period, funds gone: billing suspends it at once, and
    what unsuspend answers says so (not the ACTIVE of a moment before)."""
    client = funded_client("0.9271")
    product, price = make_product(period="HOURLY", amount="0.9271")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(minutes=10))
    service_suspend(actor=staff, service_id=service.pk)
    clock(T + dt.timedelta(hours=3))
    result = service_unsuspend(actor=staff, service_id=service.pk)
    assert (result.status, result.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)


def test_the_credit_job_follows_the_same_rule(staff):
    service = suspended_for_funds("0.7908")
    assert job_enforce_credit(now=T + dt.timedelta(hours=2))["unsuspended"] == 0
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal("0.0634"), description="Top-up")
    assert job_enforce_credit(now=T + dt.timedelta(hours=2))["unsuspended"] == 1
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


def test_refusals_name_the_status_in_polish_never_its_code(staff, clock):
    client = funded_client("100")
    product, price = make_product(key="box", period="MONTHLY", amount="20.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(days=1))
    attempts = [lambda: service_unsuspend(actor=staff, service_id=service.pk)]
    with translation.override("pl"):
        refusals = []
        for attempt in attempts:
            with pytest.raises(Conflict) as refused:
                attempt()
            refusals.append((refused.value.message, "Aktywna"))
    service_suspend(actor=staff, service_id=service.pk)
    with translation.override("pl"):
        for attempt in (lambda: service_suspend(actor=staff, service_id=service.pk),
                        lambda: service_action(actor=staff, service_id=service.pk, action="reboot")):
            with pytest.raises(Conflict) as refused:
                attempt()
            refusals.append((refused.value.message, "Zawieszona"))
    service_terminate(actor=staff, service_id=service.pk)
    with translation.override("pl"):
        with pytest.raises(Conflict) as refused:
            service_terminate(actor=staff, service_id=service.pk)
        refusals.append((refused.value.message, "Zakończona"))
    for message, label in refusals:
        assert label in message, message
        assert not any(code in message for code in ServiceStatus.values), message


def test_the_provisioning_log_names_its_steps_not_their_codes(staff, clock):
    client = funded_client("100")
    product, price = make_product(key="box", period="MONTHLY", amount="20.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(days=1))
    service_action(actor=staff, service_id=service.pk, action="reboot")
    service_suspend(actor=staff, service_id=service.pk)
    events = Service.objects.get(pk=service.pk).provisioning_events.all()
    assert {event.action: event.action_label for event in events} == {
        "create": "Create", "reboot": "Reboot", "suspend": "Suspend"}
    with translation.override("pl"):  # the module's own action, translated already
        assert {event.action: event.action_label for event in events}["reboot"] == "Uruchom ponownie"
    gone = ProvisioningEvent(service=service, action="resize", outcome="OK")  # no module names it now
    assert gone.action_label == "resize"
