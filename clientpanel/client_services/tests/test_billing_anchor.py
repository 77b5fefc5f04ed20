"""Periods of months keep the day their billing started on (Service.billing_anchor_day), through the
real billing pass: a year of daily passes (each run twice, one outage of weeks), both the one-by-one
and batch paths and, on PostgreSQL, the set-based SQL; unsuspension; existing services migrated."""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from clientpanel.client_services.calculations import MONTHS, period_charge
from clientpanel.client_services.models import INSUFFICIENT_FUNDS, Service, ServiceCharge, ServiceStatus
from clientpanel.client_services.services import (
    job_charge_services,
    job_enforce_credit,
    service_order,
    service_suspend,
    service_unsuspend,
)
from clientpanel.clients.models import Client
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import entry_post

from .test_billing import at, charges, funded_client, make_product

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def utc(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def ordered_at(moment: dt.datetime, key: str, period: str = "MONTHLY", client=None) -> Service:
    """A service ordered and activated (by the automation pass) at `moment`."""
    client = client or funded_client("10000")
    product, price = make_product(key=key, period=period, amount="30.00")
    with time_machine.travel(moment, tick=False):
        service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(moment)
    service.refresh_from_db()
    assert (service.status, service.activation_date) == (ServiceStatus.ACTIVE, moment)
    return service


def spans(service) -> list:
    return [(c.period_start, c.period_end) for c in charges(service)]


def test_a_year_of_daily_passes_keeps_the_31st_and_the_29th_in_a_leap_year():
    """Ordered on 31 and 29 January 2028: every day's pass runs twice, none runs from 10 May to
    15 July (the missed periods are charged afterwards, each once); each period starts on its day,
    clamped to the month (29 Feb, 30 Apr…), where the previous one ended."""
    time = (9, 15)
    on_31st = ordered_at(utc(2028, 1, 31, *time), "m31")
    on_29th = ordered_at(utc(2028, 1, 29, *time), "m29")
    quarterly = ordered_at(utc(2028, 1, 31, *time), "q31", period="QUARTERLY")
    assert (on_31st.billing_anchor_day, on_29th.billing_anchor_day) == (31, 29)
    day = utc(2028, 1, 29, 12)
    while day < utc(2029, 2, 1):
        if not utc(2028, 5, 10) <= day < utc(2028, 7, 15):
            with time_machine.travel(day, tick=False):
                job_charge_services(now=day)
                assert job_charge_services(now=day) == {"services": 0, "charges": 0}  # the same day again
        day += dt.timedelta(days=1)
    ends_31 = [(2028, 2, 29), (2028, 3, 31), (2028, 4, 30), (2028, 5, 31), (2028, 6, 30), (2028, 7, 31),
               (2028, 8, 31), (2028, 9, 30), (2028, 10, 31), (2028, 11, 30), (2028, 12, 31), (2029, 1, 31),
               (2029, 2, 28)]
    ends_29 = [(2028, 2, 29), *((2028, m, 29) for m in range(3, 13)), (2029, 1, 29), (2029, 2, 28)]
    ends_q = [(2028, 4, 30), (2028, 7, 31), (2028, 10, 31), (2029, 1, 31), (2029, 4, 30)]
    for service, first, ends in ((on_31st, utc(2028, 1, 31, *time), ends_31),
                                 (on_29th, utc(2028, 1, 29, *time), ends_29),
                                 (quarterly, utc(2028, 1, 31, *time), ends_q)):
        expected_ends = [utc(*end, *time) for end in ends]
        assert spans(service) == list(zip([first, *expected_ends[:-1]], expected_ends, strict=True))
        service.refresh_from_db()
        assert service.billed_until == expected_ends[-1]
        entries = LedgerEntry.objects.filter(service_id=service.pk, type=EntryType.CHARGE).order_by("sequence")
        assert [(e.period_start, e.period_end, e.net) for e in entries] == [
            (start, end, Decimal("-30.00")) for start, end in spans(service)]
    assert not ServiceCharge.objects.values("service", "kind", "period_start").annotate(n=Count("id")).filter(n__gt=1)
    assert ledger_breaches() == []


def test_a_staff_suspension_inside_a_paid_period_keeps_the_day_and_an_unpaid_one_restarts_billing(staff,
                                                                                                 monkeypatch):
    from django.utils import timezone

    service = ordered_at(utc(2027, 1, 31, 8), "box")
    monkeypatch.setattr(timezone, "now", lambda: utc(2027, 2, 10))
    service_suspend(actor=staff, service_id=service.pk)
    monkeypatch.setattr(timezone, "now", lambda: utc(2027, 2, 20))
    service_unsuspend(actor=staff, service_id=service.pk)  # inside the paid period: it continues
    job_charge_services(now=utc(2027, 3, 1))
    service.refresh_from_db()
    assert (service.billing_anchor_day, service.billed_until) == (31, utc(2027, 3, 31, 8))
    # Funds run out for April: suspended; funds back on 12 May: billing restarts then, on the 12th.
    balance = Client.objects.get(pk=service.client_id).balance
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=-(balance - Decimal("10")),
               description="Spent")
    job_charge_services(now=utc(2027, 3, 31, 9))
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    job_enforce_credit(now=utc(2027, 5, 12, 7))
    job_charge_services(now=utc(2027, 6, 13))
    service.refresh_from_db()
    assert (service.status, service.billing_anchor_day) == (ServiceStatus.ACTIVE, 12)
    assert spans(service)[-3:] == [(utc(2027, 2, 28, 8), utc(2027, 3, 31, 8)),
                                   (utc(2027, 5, 12, 7), utc(2027, 6, 12, 7)),
                                   (utc(2027, 6, 12, 7), utc(2027, 7, 12, 7))]


def test_a_service_without_an_anchor_gets_it_from_its_first_charged_period():
    client = funded_client("1000")
    product, price = make_product(key="by-hand", period="MONTHLY", amount="5.00")
    start = utc(2027, 8, 31, 6)
    service = Service.objects.create(client=client, product=product, price=price, label="HAND01", currency="USD",
                                     period="MONTHLY", amount=Decimal("5.00"), setup_fee=Decimal(0),
                                     status="ACTIVE", provision_status="COMPLETED", order_date=start,
                                     billed_until=start)
    job_charge_services(now=utc(2027, 10, 1))  # two periods due: the batch path
    service.refresh_from_db()
    assert service.billing_anchor_day == 31
    job_charge_services(now=utc(2027, 10, 31, 7))
    assert [end for _start, end in spans(service)] == [utc(2027, 9, 30, 6), utc(2027, 10, 31, 6),
                                                       utc(2027, 11, 30, 6)]


def test_the_migration_gives_existing_services_the_day_their_billing_last_started():
    """Drifted by the old clamping (31 Jan → 28 Feb → 28 Mar): back to the 31st with the next period
    (28 Mar → 30 Apr), nothing charged twice. After a restart (a gap in the periods) the restart's
    day; without any period, billed_until's; hourly prices keep none."""
    fill = importlib.import_module("clientpanel.client_services.migrations.0007_billing_anchor_day").fill_anchor_days
    client = funded_client("1000")

    def service(label, period, billed_until, periods=(), hourly=False):
        product, price = make_product(key=label.lower(), period=period, amount="5.00", hourly=hourly)
        made = Service.objects.create(client=client, product=product, price=price, label=label, currency="USD",
                                      period=period, amount=Decimal("5.00"), setup_fee=Decimal(0),
                                      status="ACTIVE", provision_status="COMPLETED", order_date=periods[0][0]
                                      if periods else billed_until, billed_until=billed_until)
        for start, end in periods:
            ServiceCharge.objects.create(service=made, kind="PERIOD", period_start=start, period_end=end,
                                         amount=Decimal("5.00"))
        return made

    drifted = service("DRIFT1", "MONTHLY", utc(2026, 3, 28, 9), [
        (utc(2026, 1, 31, 9), utc(2026, 2, 28, 9)), (utc(2026, 2, 28, 9), utc(2026, 3, 28, 9))])
    restarted = service("AGAIN1", "MONTHLY", utc(2026, 4, 14), [
        (utc(2026, 1, 30), utc(2026, 2, 28)), (utc(2026, 3, 14), utc(2026, 4, 14))])
    restarted_now = service("AGAIN2", "QUARTERLY", utc(2026, 6, 3), [(utc(2026, 1, 30), utc(2026, 4, 30))])
    bare = service("BARE01", "ANNUALLY", utc(2026, 5, 17))
    service("HOUR01", "HOURLY", utc(2026, 5, 17, 3), [(utc(2026, 5, 17, 2), utc(2026, 5, 17, 3))])
    # A monthly price billed by the hour: hours have no day of the month (service_charge_due).
    service("HOUR02", "MONTHLY", utc(2026, 5, 17, 3), [(utc(2026, 5, 17, 2), utc(2026, 5, 17, 3))], hourly=True)
    Service.objects.update(billing_anchor_day=None)
    with CaptureQueriesContext(connection) as done:
        fill(apps, SimpleNamespace(connection=connection))
    # Set-based: one UPDATE whatever the number of services and charges (a loop in Python read
    # every charge and took a minute and a half at 300,000 services on PostgreSQL).
    assert len(done.captured_queries) == 1
    days = dict(Service.objects.values_list("label", "billing_anchor_day"))
    assert days == {"DRIFT1": 31, "AGAIN1": 14, "AGAIN2": 3, "BARE01": 17, "HOUR01": None,
                    "HOUR02": None}
    job_charge_services(now=utc(2026, 4, 29))
    assert spans(drifted)[-1] == (utc(2026, 3, 28, 9), utc(2026, 4, 30, 9))  # one longer period, then the 31st
    job_charge_services(now=utc(2026, 4, 30, 10))
    assert spans(drifted)[-1] == (utc(2026, 4, 30, 9), utc(2026, 5, 31, 9))
    assert len(spans(drifted)) == 4
    assert spans(restarted)[-1] == (utc(2026, 4, 14), utc(2026, 5, 14))
    assert not (spans(bare) or spans(restarted_now)[1:])


@pytest.mark.postgres
def test_the_set_based_pass_ends_periods_of_months_on_the_anchor_day_as_python_does():
    """The SQL's anchored month arithmetic against calculations.period_charge, at the clamped days."""
    from clientpanel.client_services.services.billing import charge_batch

    client = funded_client("100000")
    cases = [(utc(2027, 2, 28, 0), 30), (utc(2027, 3, 28, 9), 31), (utc(2027, 3, 28, 10), 15),
             (utc(2027, 4, 30, 0), 31), (utc(2027, 8, 31, 23, 59, 59), 31), (utc(2027, 11, 30, 12), 30),
             (utc(2027, 12, 5, 1), None), (utc(2028, 2, 29, 10), 31), (utc(2028, 2, 29, 23, 30), 29)]
    for m, (start, anchor) in enumerate(cases):  # in time order: each case's services alone are due
        expected, made = {}, []
        for n, period in enumerate(MONTHS):
            product, price = make_product(key=f"anchor-{m}-{n}", period=period, amount="10.00")
            service = Service.objects.create(
                client=client, product=product, price=price, label=f"A{n:02d}{m:02d}", currency="USD", period=period,
                amount=Decimal("10.00"), setup_fee=Decimal(0), status="ACTIVE", provision_status="COMPLETED",
                order_date=start, billed_until=start, billing_anchor_day=anchor)
            charge = period_charge(period=period, amount=service.amount, hourly_billing=False, start=start,
                                   anchor_day=anchor or start.day)
            expected[service.pk] = (charge.start, charge.end, anchor or start.day)
            made.append(service)
        assert charge_batch(now=start, limit=1000) == (len(made), len(made), [])
        for service in made:
            [charge] = ServiceCharge.objects.filter(service=service)
            service.refresh_from_db()
            begin, end, day = expected[service.pk]
            assert (charge.period_start, charge.period_end, service.billed_until) == (begin, end, end), service.label
            assert service.billing_anchor_day == day
            assert LedgerEntry.objects.get(pk=charge.ledger_entry_id).period_end == end
        # A second batch at the same moment charges nothing (one charge per service and period).
        assert charge_batch(now=start, limit=1000) == (0, 0, [])
        Service.objects.filter(pk__in=[s.pk for s in made]).update(status=ServiceStatus.TERMINATED)



def test_a_product_turned_from_hourly_to_monthly_billing_starts_its_months_where_the_hours_ended():
    """Hours have no day of the month: once the product bills by the month, the first month runs
    from where the hours ended to that day a month later — not to the activation's day (31 Mar 10:00
    → 1 Apr 10:00, a day charged as a whole month, then April again). An hour charged clears the
    anchor that activation (or the migration) left, through each path of the pass."""
    client = funded_client("10000")
    product, price = make_product(key="vps-flip", period="MONTHLY", amount="72.00", hourly=True)
    service = Service.objects.create(
        client=client, product=product, price=price, label="FLIP01", currency="USD", period="MONTHLY",
        amount=Decimal("72.00"), setup_fee=Decimal(0), status="ACTIVE", provision_status="COMPLETED",
        order_date=utc(2027, 3, 1, 10), billed_until=utc(2027, 3, 31, 9), billing_anchor_day=1)
    job_charge_services(now=utc(2027, 3, 31, 9))  # one hour (on PostgreSQL the set-based pass)
    service.refresh_from_db()
    assert (service.billed_until, service.billing_anchor_day) == (utc(2027, 3, 31, 10), None)
    product.hourly_billing = False
    product.save(update_fields=["hourly_billing"])
    job_charge_services(now=utc(2027, 3, 31, 10))
    job_charge_services(now=utc(2027, 4, 30, 10))
    assert spans(service)[-2:] == [(utc(2027, 3, 31, 10), utc(2027, 4, 30, 10)),
                                   (utc(2027, 4, 30, 10), utc(2027, 5, 31, 10))]
