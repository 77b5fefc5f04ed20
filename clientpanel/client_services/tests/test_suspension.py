"""Suspend → unsuspend → next periods (SPEC §9, issue 8): no period is ever charged twice, time
already paid is never paid again, and periods that would start while suspended are not charged."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from clientpanel.client_services.calculations import add_months
from clientpanel.client_services.locks import locked_service
from clientpanel.client_services.models import ServiceStatus
from clientpanel.client_services.services import (
    service_action,
    service_order,
    service_suspend,
    service_terminate,
    service_unsuspend,
)
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import entry_post

from .test_billing import T, at, charges, funded_client, make_product

pytestmark = pytest.mark.django_db

PRICES = {  # key: (period, amount, hourly billing, length of one period from a start)
    "hourly": ("HOURLY", "0.9271", False, lambda start: start + dt.timedelta(hours=1)),
    "monthly-by-the-hour": ("MONTHLY", "20.00", True, lambda start: start + dt.timedelta(hours=1)),
    "monthly": ("MONTHLY", "20.00", False, lambda start: add_months(start, 1)),
}



@pytest.mark.parametrize("kind", PRICES)
def test_unsuspending_inside_a_paid_period_continues_it_and_charges_the_next_when_it_starts(kind, staff, clock):
    period, amount, hourly, after = PRICES[kind]
    client = funded_client("500")
    product, price = make_product(key=kind, period=period, amount=amount, hourly=hourly)
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    first_end = after(T)
    length = first_end - T
    clock(T + length / 4)
    service_suspend(actor=staff, service_id=service.pk)
    clock(T + length / 2)
    service_unsuspend(actor=staff, service_id=service.pk)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE and service.billed_until == first_end
    assert [c.period_start for c in charges(service)] == [T]  # nothing charged again
    at(T + length / 2)
    assert len(charges(service)) == 1
    at(first_end + dt.timedelta(seconds=1))  # the next period is charged when it starts
    starts = [c.period_start for c in charges(service)]
    assert starts == [T, first_end]
    assert LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE).count() == 2
    assert ledger_breaches() == []


@pytest.mark.parametrize("kind", PRICES)
def test_periods_that_would_start_while_suspended_are_not_charged(kind, staff, clock):
    period, amount, hourly, after = PRICES[kind]
    client = funded_client("500")
    product, price = make_product(key=kind, period=period, amount=amount, hourly=hourly)
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    first_end = after(T)
    clock(T + (first_end - T) / 2)
    service_suspend(actor=staff, service_id=service.pk)
    later = after(after(first_end)) + (first_end - T) / 3  # two whole periods pass while suspended
    at(later)
    assert len(charges(service)) == 1
    clock(later)
    service_unsuspend(actor=staff, service_id=service.pk)
    service.refresh_from_db()
    assert [c.period_start for c in charges(service)] == [T, later]  # billing restarts at the unsuspension
    assert service.billed_until == after(later)
    at(after(later) + dt.timedelta(seconds=1))
    assert [c.period_start for c in charges(service)] == [T, later, after(later)]
    assert ledger_breaches() == []


def test_time_suspended_for_insufficient_funds_is_free_and_paid_time_is_not_paid_again():
    client = funded_client("1.00")
    product, price = make_product(period="HOURLY", amount="0.9271")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    at(T + dt.timedelta(hours=1, minutes=5))  # 0.0729 left: the second hour is not paid
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUSPENDED and len(charges(service)) == 1
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5"), description="Top-up")
    back = T + dt.timedelta(hours=3, minutes=10)
    at(back)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    assert [c.period_start for c in charges(service)] == [T, back]  # hours 1–3 were free
    at(back + dt.timedelta(minutes=30))  # the same hour again: nothing more
    assert len(charges(service)) == 2


def test_unsuspending_a_one_time_service_charges_nothing_again(staff, clock):
    client = funded_client("100")
    product, price = make_product(key="licence", period="ONE_TIME", amount="30.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(days=3))
    service_suspend(actor=staff, service_id=service.pk)
    clock(T + dt.timedelta(days=40))
    service_unsuspend(actor=staff, service_id=service.pk)
    at(T + dt.timedelta(days=41))
    assert LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE).count() == 1


def test_termination_inside_a_paid_period_refunds_nothing_by_itself(staff, clock):
    """A paid period cut short by termination is not refunded automatically; staff post a positive
    manual transaction for the unused part when they choose to (docs/decisions.md)."""
    client = funded_client("100")
    product, price = make_product(key="box", period="MONTHLY", amount="20.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(days=10))
    service_terminate(actor=staff, service_id=service.pk)
    client.refresh_from_db()
    assert client.balance == Decimal("80") and service.charges.count() == 2  # setup row + one month


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_locking_a_service_leaves_its_product_and_client_free():
    """Services of one product must not queue behind each other: the lock is the service row's only."""
    client = funded_client("100")
    product, price = make_product(key="shared", period="MONTHLY", amount="5.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    held, release, outcome = threading.Event(), threading.Event(), {}

    def holder():
        try:
            with transaction.atomic():
                locked_service(service.pk, related=("product", "client"))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            cursor.execute("SELECT id FROM catalog_product WHERE id = %s FOR UPDATE NOWAIT", [product.pk])
            cursor.execute("SELECT id FROM clients_client WHERE id = %s FOR UPDATE NOWAIT", [client.pk])
            outcome["free"] = True
    finally:
        release.set()
        thread.join()
    assert outcome == {"free": True}


def test_product_actions_run_on_an_active_service_only(staff, clock):
    client = funded_client("100")
    product, price = make_product(key="box-actions", period="MONTHLY", amount="5.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    clock(T + dt.timedelta(hours=1))
    service_suspend(actor=staff, service_id=service.pk)
    with pytest.raises(Conflict, match="active service"):
        service_action(actor=staff, service_id=service.pk, action="reboot")


def test_staff_may_order_a_hidden_product_but_not_a_retired_one(staff):
    client = funded_client("100")
    product, price = make_product(key="private-plan", period="MONTHLY", amount="5.00")
    product.hidden = True
    product.save(update_fields=["hidden"])
    assert service_order(actor=staff, client_id=client.pk, product_id=product.pk, price_id=price.pk).pk
    product.retired = True
    product.save(update_fields=["retired"])
    with pytest.raises(ValidationFailed, match="Some fields"):
        service_order(actor=staff, client_id=client.pk, product_id=product.pk, price_id=price.pk)
