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
    assert [(c.period_start.date(), c.period_end.date()) for c in made] == [
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28)), (dt.date(2027, 2, 28), dt.date(2027, 3, 28))]


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
