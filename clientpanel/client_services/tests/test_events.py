"""Every order publishes ServiceOrdered and every status change of a service ServiceStatusChanged, in
their transaction (issue 10); provisioning is queued from ServiceOrdered once the order commits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from clientpanel.client_services.events import ServiceOrdered, ServiceStatusChanged
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import service_order, service_suspend, service_terminate, service_unsuspend
from clientpanel.core.tests.recording import recorded_events
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .test_billing import T, at, funded_client, make_product

pytestmark = pytest.mark.django_db


def changes(events) -> list[tuple[str, str, str]]:
    return [(event.old_status, event.new_status, event.reason) for event in events]


def test_activation_suspension_and_termination_are_published():
    client = funded_client("100")
    product, price = make_product()
    with recorded_events(ServiceStatusChanged) as events:
        service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
        at(T)
        service_suspend(actor=None, service_id=service.pk)
        service_unsuspend(actor=None, service_id=service.pk)
        service_terminate(actor=None, service_id=service.pk)
    assert changes(events) == [("PENDING", "ACTIVE", ""), ("ACTIVE", "SUSPENDED", "Suspended by staff"),
                               ("SUSPENDED", "ACTIVE", ""), ("ACTIVE", "TERMINATED", "")]
    assert {(event.service_id, event.client_id, event.label) for event in events} == {
        (service.pk, client.pk, service.label)}


def test_automation_publishes_suspension_for_lack_of_funds_and_cancellation():
    product, price = make_product()  # 0.9271 an hour
    poor = funded_client("1")  # the first hour is paid, the second is not
    suspended = service_order(actor=None, client_id=poor.pk, product_id=product.pk, price_id=price.pk)
    spent = funded_client("1")
    never_funded = service_order(actor=None, client_id=spent.pk, product_id=product.pk, price_id=price.pk)
    entry_post(client_id=spent.pk, type=EntryType.ADJUSTMENT, net=Decimal("-1"), description="Spent elsewhere")
    with recorded_events(ServiceStatusChanged) as events:
        at(T)  # orders were placed at the real "now", long before T: past the cancellation delay
        at(T + dt.timedelta(hours=1, minutes=1))
    assert [(event.service_id, *change) for event, change in zip(events, changes(events), strict=True)] == [
        (suspended.pk, "PENDING", "ACTIVE", ""), (never_funded.pk, "PENDING", "CANCELLED", ""),
        (suspended.pk, "ACTIVE", "SUSPENDED", "Insufficient funds")]


def test_an_order_is_published_and_provisioned_only_after_it_commits(django_capture_on_commit_callbacks):
    client = funded_client("100")
    product, price = make_product()
    with recorded_events(ServiceOrdered) as events, django_capture_on_commit_callbacks() as callbacks:
        service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
        assert Service.objects.get(pk=service.pk).status == "PENDING"
    assert [(event.service_id, event.client_id, event.label) for event in events] == [
        (service.pk, client.pk, service.label)]
    assert Service.objects.get(pk=service.pk).status == "PENDING"  # nothing ran before the commit
    for callback in callbacks:  # the commit: the queued provisioning runs (Huey's immediate mode)
        callback()
    assert Service.objects.get(pk=service.pk).status == "ACTIVE"


def test_an_order_rolled_back_queues_no_provisioning(django_capture_on_commit_callbacks):
    client = funded_client("100")
    product, price = make_product()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
        raise RuntimeError("the caller's transaction fails after the order")
    assert callbacks == [] and not Service.objects.exists()
