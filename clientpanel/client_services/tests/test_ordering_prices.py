"""Ordering at edited, retired and derived prices (issue 14, SPEC §9): a service keeps the price it
was ordered at — changing or retiring the price, or a new exchange rate, never changes what it is
charged; a retired price is not offered; a product without a price in the client's currency cannot be
ordered, and the refusal names the currency."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import Price, Product
from clientpanel.catalog.selectors import offers_of, products_for_client_order, products_for_staff_order
from clientpanel.catalog.services import exchange_rate_save, price_save, product_save
from clientpanel.client_services.models import ServiceCharge
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from conftest import client_data

T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)  # after the real "now": orders lie before every pass


def product(key="vps", *, derive=False) -> Product:
    return product_save(actor=None, data={"key": key, "name": key.upper(), "derive_prices": derive})


def price(of: Product, amount="20.00", *, currency="USD", period="MONTHLY", setup_fee="0") -> Price:
    return price_save(actor=None, product_id=of.pk, data={"currency": currency, "period": period, "amount": amount,
                                                          "setup_fee": setup_fee})


def funded_client(currency="USD", amount="1000"):
    client = client_create(actor=None, data=client_data(currency=currency))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(amount), description="Top-up")
    return client


def period_charges(service) -> list[Decimal]:
    return [c.amount for c in ServiceCharge.objects.filter(service=service, kind="PERIOD").order_by("period_start")]


def refused(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as failure:
        call(**kwargs)
    return failure.value.fields

@pytest.mark.django_db
def test_editing_a_price_leaves_an_existing_service_and_its_next_charge_unchanged():
    box = product("box")
    monthly = price(box, "20.00", setup_fee="5.00")
    client = funded_client()
    service = service_order(actor=None, client_id=client.pk, product_id=box.pk, price_id=monthly.pk)
    call_command("run_automation", "--at", T.isoformat())
    price_save(actor=None, product_id=box.pk, price_id=monthly.pk, data={"amount": "35.00", "setup_fee": "9.00"})
    call_command("run_automation", "--at", (T + dt.timedelta(days=31)).isoformat())
    service.refresh_from_db()
    assert (service.amount, service.setup_fee, service.status) == (Decimal("20.00"), Decimal("5.00"), "ACTIVE")
    assert period_charges(service) == [Decimal("20.00"), Decimal("20.00")]  # the next month at the old price
    assert ServiceCharge.objects.get(service=service, kind="SETUP").amount == Decimal("5.00")
    later = service_order(actor=None, client_id=client.pk, product_id=box.pk, price_id=monthly.pk)
    assert (later.amount, later.setup_fee) == (Decimal("35.00"), Decimal("9.00"))  # new orders: the new price
    event = AuditEvent.objects.get(action="price.update")
    assert event.changes == {"amount": ["20.0000", "35.0000"], "setup_fee": ["5.0000", "9.0000"]}


@pytest.mark.django_db
def test_a_retired_price_is_not_offered_but_its_services_go_on_billing_and_it_can_come_back():
    box = product("box")
    monthly, yearly = price(box, "20.00"), price(box, "200.00", period="ANNUALLY")
    client = funded_client()
    service = service_order(actor=None, client_id=client.pk, product_id=box.pk, price_id=monthly.pk)
    call_command("run_automation", "--at", T.isoformat())
    price_save(actor=None, product_id=box.pk, price_id=monthly.pk, data={"retired": True})
    assert [o.pk for o in offers_of(box, "USD")] == [yearly.pk]
    assert refused(service_order, actor=None, client_id=client.pk, product_id=box.pk,
                   price_id=monthly.pk) == {"price": ["This price is retired; choose another."]}
    call_command("run_automation", "--at", (T + dt.timedelta(days=31)).isoformat())
    assert period_charges(service) == [Decimal("20.00"), Decimal("20.00")]
    price_save(actor=None, product_id=box.pk, price_id=yearly.pk, data={"retired": True})
    assert products_for_client_order(currency="USD") == [] and products_for_staff_order(currency="USD") == []
    price_save(actor=None, product_id=box.pk, price_id=monthly.pk, data={"retired": False})
    assert service_order(actor=None, client_id=client.pk, product_id=box.pk, price_id=monthly.pk).amount == 20
    assert list(AuditEvent.objects.filter(action__in=["price.retire", "price.restore"])
                .order_by("created_at", "id").values_list("action", flat=True)) == [
        "price.retire", "price.retire", "price.restore"]


@pytest.mark.django_db
def test_a_service_ordered_at_a_derived_price_keeps_it_when_the_rate_or_the_price_changes():
    vps = product("vps", derive=True)
    monthly = price(vps, "20.00")
    exchange_rate_save(actor=None, currency="PLN", rate="4.3127")
    client = funded_client("PLN")
    service = service_order(actor=None, client_id=client.pk, product_id=vps.pk, price_id=monthly.pk)
    assert (service.currency, service.period, service.amount, service.price_id) == (
        "PLN", "MONTHLY", Decimal("86.25"), monthly.pk)
    assert AuditEvent.objects.get(action="service.order").changes["exchange_rate"] == [None, "4.312700"]
    call_command("run_automation", "--at", T.isoformat())
    exchange_rate_save(actor=None, currency="PLN", rate="5")
    price_save(actor=None, product_id=vps.pk, price_id=monthly.pk, data={"amount": "30.00"})
    call_command("run_automation", "--at", (T + dt.timedelta(days=31)).isoformat())
    assert period_charges(service) == [Decimal("86.25"), Decimal("86.25")]
    assert service_order(actor=None, client_id=client.pk, product_id=vps.pk, price_id=monthly.pk).amount == 150


@pytest.mark.django_db
def test_ordering_with_the_default_price_id_takes_the_explicit_price_of_the_currency_when_there_is_one():
    vps = product("vps", derive=True)
    monthly = price(vps, "20.00")
    explicit = price(vps, "79.00", currency="PLN")
    exchange_rate_save(actor=None, currency="PLN", rate="4.3127")
    service = service_order(actor=None, client_id=funded_client("PLN").pk, product_id=vps.pk, price_id=monthly.pk)
    assert (service.amount, service.price_id) == (Decimal("79.00"), explicit.pk)


@pytest.mark.django_db
def test_a_product_without_a_price_in_the_clients_currency_is_not_offered_and_its_order_names_the_currency():
    box = product("box")  # USD only, derives nothing
    monthly = price(box)
    eur = funded_client("EUR")
    assert products_for_staff_order(currency="EUR") == [] and products_for_client_order(currency="EUR") == []
    assert refused(service_order, actor=None, client_id=eur.pk, product_id=box.pk, price_id=monthly.pk) == {
        "product": ["BOX has no price in EUR, the client's currency."]}
    other = product("other")
    other_price = price(other, currency="EUR")
    fields = refused(service_order, actor=None, client_id=eur.pk, product_id=box.pk, price_id=other_price.pk)
    assert "EUR" in fields["product"][0]
    price(box, "18.00", currency="EUR")
    assert refused(service_order, actor=None, client_id=eur.pk, product_id=box.pk, price_id=other_price.pk) == {
        "price": ["Choose one of the product's prices."]}  # another product's price id
