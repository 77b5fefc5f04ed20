"""Service lifecycle and billing with the clock moved by `run_automation --at` (SPEC §9)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceCharge
from clientpanel.client_services.services import (
    service_order,
    service_retry,
    service_suspend,
    service_unsuspend,
)
from clientpanel.clients.services import client_create
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.ledger.descriptions import service_charge
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import InsufficientFunds, entry_post
from conftest import client_data

pytestmark = pytest.mark.django_db
# After the real "now", so orders placed by the tests lie before every simulated pass.
T = dt.datetime(2027, 9, 2, 8, 18, 41, tzinfo=dt.UTC)


def at(moment: dt.datetime, capsys=None) -> dict:
    call_command("run_automation", "--at", moment.isoformat())
    if capsys is not None:
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return {}


def make_product(key="vps-hourly", period="HOURLY", amount="0.9271", setup="0", module="sample", settings=None,
                 hourly=False):
    product = Product.objects.create(key=key, name=key.upper(), module=module, module_settings=settings or {},
                                     hourly_billing=hourly)
    price = Price.objects.create(product=product, currency="USD", period=period, amount=Decimal(amount),
                                 setup_fee=Decimal(setup))
    return product, price


def funded_client(amount="100"):
    client = client_create(actor=None, data=client_data(currency="USD"))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(amount), description="Top-up")
    return client


def charges(service):
    return list(ServiceCharge.objects.filter(service=service, kind="PERIOD").order_by("period_start"))


def test_hourly_service_is_charged_in_advance_once_per_hour(capsys):
    client = funded_client()
    product, price = make_product()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service.refresh_from_db()
    assert (service.status, service.provision_status, service.activation_date) == ("ACTIVE", "COMPLETED", T)
    at(T + dt.timedelta(hours=5, minutes=1))
    at(T + dt.timedelta(hours=5, minutes=1))  # the same pass again charges nothing
    made = charges(service)
    assert [c.period_start for c in made] == [T + dt.timedelta(hours=h) for h in range(6)]
    assert all(c.period_end - c.period_start == dt.timedelta(hours=1) and c.amount == Decimal("0.9271")
               for c in made)
    entries = LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE).order_by("sequence")
    assert entries.count() == 6
    assert entries[0].description == f"Service:{service.pk}, 1h × 0.9271 per hour"
    assert (entries[0].period_start, entries[0].period_end) == (T, T + dt.timedelta(hours=1))
    client.refresh_from_db()
    assert client.balance == Decimal("100") - 6 * Decimal("0.9271")
    assert ledger_breaches() == []


def test_monthly_price_of_an_hourly_product_is_charged_per_hour():
    client = funded_client()
    product, price = make_product(key="medium", period="MONTHLY", amount="20.00", hourly=True)
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    charge = charges(service)[0]
    assert charge.amount == Decimal("0.0278")  # 20.00 / (30 × 24) in September, to 4 places
    assert charge.period_end - charge.period_start == dt.timedelta(hours=1)


def test_monthly_service_is_charged_for_whole_months():
    client = funded_client()
    product, price = make_product(key="mini", period="MONTHLY", amount="8.50")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(dt.datetime(2027, 1, 31, 12, tzinfo=dt.UTC))
    at(dt.datetime(2027, 3, 1, 0, tzinfo=dt.UTC))
    made = charges(service)
    # The period after February's clamped end goes back to the 31st (the service's anchor day).
    assert [(c.period_start.date(), c.period_end.date()) for c in made] == [
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28)), (dt.date(2027, 2, 28), dt.date(2027, 3, 31))]


def test_out_of_funds_suspends_then_payment_unsuspends_with_suspended_hours_free():
    client = funded_client("2.00")
    product, price = make_product()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    at(T + dt.timedelta(hours=2))  # hour 2 cannot be paid: 2.00 − 2 × 0.9271 = 0.1458 left
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == ("SUSPENDED", "Insufficient funds")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("10"), description="Payment")
    at(T + dt.timedelta(hours=5))
    service.refresh_from_db()
    assert service.status == "ACTIVE"
    starts = [c.period_start for c in charges(service)]
    assert starts == [T, T + dt.timedelta(hours=1), T + dt.timedelta(hours=5)]  # hours 2–4 were free


def test_staff_suspension_is_not_lifted_by_automation(staff):
    client = funded_client()
    product, price = make_product()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service_suspend(actor=staff, service_id=service.pk)
    at(T + dt.timedelta(hours=3))
    service.refresh_from_db()
    assert service.status == "SUSPENDED" and len(charges(service)) == 1
    service_unsuspend(actor=staff, service_id=service.pk)
    service.refresh_from_db()
    assert service.status == "ACTIVE"


def test_suspended_service_is_terminated_after_the_delay():
    client = funded_client("1.00")
    product, price = make_product()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    at(T + dt.timedelta(hours=1))
    at(T + dt.timedelta(hours=1 + 48))
    service.refresh_from_db()
    assert service.status == "TERMINATED"


def test_order_without_funds_is_refused_unless_overridden(staff):
    client = funded_client("1.00")
    product, price = make_product(key="medium", period="MONTHLY", amount="20.00", setup="5.00")
    with pytest.raises(InsufficientFunds, match="do not cover"):
        service_order(actor=staff, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert not Service.objects.exists()


def test_staff_override_provisions_at_once_and_charges_past_the_limit(staff, django_capture_on_commit_callbacks):
    """Staff "order even if funds do not cover it": provisioned now, the setup fee and the first
    period posted beyond the credit limit and logged; the next period follows the usual rules."""
    client = funded_client("1.00")
    product, price = make_product(key="medium", period="MONTHLY", amount="20.00", setup="5.00")
    with django_capture_on_commit_callbacks(execute=True):  # the queued provisioning job runs (immediate mode)
        service = service_order(actor=staff, client_id=client.pk, product_id=product.pk, price_id=price.pk,
                                allow_over_limit=True)
    service.refresh_from_db()
    assert (service.status, service.provision_status) == ("ACTIVE", "COMPLETED")
    client.refresh_from_db()
    assert client.balance == Decimal("1.00") - Decimal("5.00") - Decimal("20.00")
    assert len(charges(service)) == 1
    assert AuditEvent.objects.filter(action="service.charge_over_limit", object_id=str(service.pk)).count() == 2
    at(service.billed_until + dt.timedelta(minutes=1))  # the second month is not covered: suspended
    service.refresh_from_db()
    assert (service.status, service.suspension_reason, len(charges(service))) == ("SUSPENDED", "Insufficient funds",
                                                                                   1)
    assert ledger_breaches() == []


def test_price_in_another_currency_is_refused():
    client = funded_client()
    product, _ = make_product()
    eur = Price.objects.create(product=product, currency="EUR", period="MONTHLY", amount=Decimal("5"))
    with pytest.raises(ValidationFailed) as failure:
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=eur.pk)
    assert "pays in USD" in failure.value.fields["price"][0]


def test_setup_fee_is_charged_once_even_when_provisioning_fails_and_is_retried(staff):
    client = funded_client()
    product, price = make_product(setup="5.00", settings={"fail": "create", "message": "Post install script failed"})
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service.refresh_from_db()
    assert (service.status, service.provision_status, service.provision_error) == (
        "PENDING", "ERROR", "Post install script failed")
    with pytest.raises(Conflict):
        Product.objects.filter(pk=product.pk).update(module_settings={})
        service_retry(actor=staff, service_id=service.pk)
        service_retry(actor=staff, service_id=service.pk)  # second retry: nothing failed any more
    service.refresh_from_db()
    assert (service.status, service.provision_status) == ("ACTIVE", "COMPLETED")
    assert ServiceCharge.objects.filter(service=service, kind="SETUP").count() == 1
    setups = LedgerEntry.objects.filter(client=client, description__endswith="setup fee")
    assert setups.count() == 1 and setups.get().net == Decimal("-5")


def test_a_hanging_module_times_out_and_the_error_is_recorded(settings):
    settings.PROVISIONING_TIMEOUT = 0.3
    client = funded_client()
    product, price = make_product(settings={"fail": "create", "hang_seconds": 1, "message": "hung"})
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service.refresh_from_db()
    assert service.provision_status == ProvisionStatus.ERROR and "did not answer within 0.3 s" in \
        service.provision_error
    assert service.provisioning_events.get().outcome == "TIMEOUT"


@pytest.mark.postgres
def test_the_set_based_pass_charges_exactly_what_the_one_by_one_path_would():
    """Every period the database prices itself (calculations.period_charge spelled in SQL), at the
    starts where calendars bite: month ends, a leap day, a month of 28, 30 and 31 days."""
    from clientpanel.client_services.calculations import FIXED, MONTHS, period_charge
    from clientpanel.client_services.services.billing import charge_batch

    client = funded_client("100000")
    starts = [dt.datetime(2028, 1, 31, 10, 0, tzinfo=dt.UTC), dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC),
              dt.datetime(2027, 4, 30, 0, 0, tzinfo=dt.UTC), dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=dt.UTC)]
    cases = [(period, False) for period in (*FIXED, *MONTHS)] + [("MONTHLY", True)]
    services = []
    for n, (period, hourly) in enumerate(cases):
        product, price = make_product(key=f"p{n}", period=period, amount="10.3713", hourly=hourly)
        for m, start in enumerate(starts):
            services.append(Service.objects.create(
                client=client, product=product, price=price, label=f"S{n:02d}{m:02d}", currency="USD",
                period=period, amount=Decimal("10.3713") + m, setup_fee=Decimal(0), status="ACTIVE",
                provision_status="COMPLETED", order_date=start, billed_until=start))
    now = max(starts)  # every service has exactly one period due by then, except the later starts' own
    expected = {}
    for service in services:
        if service.billed_until <= now:
            charge = period_charge(period=service.period, amount=service.amount,
                                   hourly_billing=service.product.hourly_billing, start=service.billed_until)
            if charge.end > now:
                expected[service.pk] = charge
    done, count, slow = charge_batch(now=now, limit=1000)
    assert (done, count, slow) == (len(expected), len(expected), [])
    for service_id, charge in expected.items():
        [made] = ServiceCharge.objects.filter(service_id=service_id)
        entry = LedgerEntry.objects.get(pk=made.ledger_entry_id)
        assert (made.period_start, made.period_end, made.amount) == (charge.start, charge.end, charge.amount)
        assert (entry.net, entry.service_id, entry.period_end) == (-charge.amount, service_id, charge.end)
        assert entry.description == f"Service:{service_id}, {charge.what}"
        # The code and parameters each reader's language is made from, as the Python path writes them.
        written = service_charge(service_id=service_id, period=Service.objects.get(pk=service_id).period,
                                 amount=charge.amount, hourly=charge.hourly)
        assert (entry.description, entry.description_code, entry.description_params) == (
            written["description"], written["description_code"], written["description_params"])
        assert Service.objects.get(pk=service_id).billed_until == charge.end
    assert ledger_breaches() == []


@pytest.mark.postgres
def test_the_set_based_pass_leaves_a_client_who_cannot_pay_to_the_one_by_one_path():
    from clientpanel.client_services.services.billing import charge_batch

    rich, poor = funded_client("100"), funded_client("1")
    product, price = make_product(amount="0.6")
    free, free_price = make_product(key="free", amount="0")
    start = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)

    def service(client, product, price, label):
        return Service.objects.create(client=client, product=product, price=price, label=label, currency="USD",
                                      period="HOURLY", amount=price.amount, setup_fee=Decimal(0), status="ACTIVE",
                                      provision_status="COMPLETED", order_date=start, billed_until=start)

    paid = [service(rich, product, price, "RICH01"), service(rich, product, price, "RICH02")]
    cannot = [service(poor, product, price, "POOR01"), service(poor, product, price, "POOR02")]  # 1.2 > 1
    nothing = service(poor, free, free_price, "POOR03")  # costs nothing: one-by-one too, with the client's others
    penniless = client_create(actor=None, data=client_data(currency="USD"))
    lonely_free = service(penniless, free, free_price, "ZERO01")  # needs no funds
    done, count, slow = charge_batch(now=start, limit=100)
    assert (done, count, sorted(slow)) == (3, 3, sorted(s.pk for s in [*cannot, nothing]))
    poor.refresh_from_db()
    rich.refresh_from_db()
    assert (poor.balance, poor.balance_row.ledger_sequence) == (Decimal("1"), 1)  # untouched
    assert (rich.balance, rich.balance_row.ledger_sequence) == (Decimal("98.8"), 3)
    assert [e.balance_after for e in LedgerEntry.objects.filter(client=rich).order_by("sequence")] == [
        Decimal("100"), Decimal("99.4"), Decimal("98.8")]
    assert ServiceCharge.objects.get(service=lonely_free).ledger_entry_id is None
    assert not ServiceCharge.objects.filter(service__in=[*cannot, nothing]).exists()
    assert all(ServiceCharge.objects.filter(service=s).count() == 1 for s in paid)
    assert ledger_breaches() == []


@pytest.mark.postgres
def test_the_set_based_pass_keys_its_entries_in_time_order_as_every_other_posting():
    """Finance → Transactions reads the ledger newest first by its key (a time-ordered UUID): the
    batch's charges must sort after what was posted before the pass and before what comes after."""
    from clientpanel.client_services.services.billing import charge_batch

    client = funded_client("100")
    product, price = make_product(amount="0.6")
    start = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)
    for label in ("TIME01", "TIME02", "TIME03"):
        Service.objects.create(client=client, product=product, price=price, label=label, currency="USD",
                               period="HOURLY", amount=price.amount, setup_fee=Decimal(0), status="ACTIVE",
                               provision_status="COMPLETED", order_date=start, billed_until=start)
    before = LedgerEntry.objects.get(client=client)  # the funding payment
    assert charge_batch(now=start, limit=100)[:2] == (3, 3)
    after, _ = entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("1"), gross=Decimal("1"),
                          description="Later")
    charges = LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE)
    assert charges.count() == 3
    assert all(before.pk < charge.pk < after.pk for charge in charges)
    assert list(LedgerEntry.objects.filter(client=client).order_by("-pk").values_list("sequence", flat=True)) == [
        5, 4, 3, 2, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_product_cannot_change_between_a_batchs_ledger_entries_and_its_charges(monkeypatch):
    """Each statement of the set-based pass prices the period from the product again: the batch
    holds its products (shared) until it commits, so an edit waits instead of splitting a charge."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    from clientpanel.client_services.services import billing

    client = funded_client("1000")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="74.40")
    start = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
    service = Service.objects.create(client=client, product=product, price=price, label="MONTH1", currency="USD",
                                     period="MONTHLY", amount=Decimal("74.40"), setup_fee=Decimal(0),
                                     status="ACTIVE", provision_status="COMPLETED", order_date=start,
                                     billed_until=start)
    database, refused = settings.DATABASES["default"], []
    post = billing.entries_post_select

    def post_then_edit(**kwargs):
        moved = post(**kwargs)
        with psycopg.connect(host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
                             dbname=connection.settings_dict["NAME"], autocommit=True) as other:
            other.execute("SET lock_timeout = '300ms'")
            try:
                other.execute("UPDATE catalog_product SET hourly_billing = TRUE WHERE id = %s", [product.pk])
            except psycopg.errors.LockNotAvailable:
                refused.append(True)
        return moved

    monkeypatch.setattr(billing, "entries_post_select", post_then_edit)
    assert billing.charge_batch(now=start, limit=10)[:2] == (1, 1)
    assert refused == [True]
    [charge] = charges(service)
    entry = LedgerEntry.objects.get(pk=charge.ledger_entry_id)
    next_month = start.replace(month=2)
    assert (charge.amount, entry.net, charge.period_end) == (Decimal("74.40"), Decimal("-74.40"), next_month)
    service.refresh_from_db()
    assert service.billed_until == start.replace(month=2)
