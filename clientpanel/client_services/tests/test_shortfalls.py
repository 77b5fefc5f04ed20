"""What a client's funds lack (client_services.shortfalls): for an order service_order refuses, the
refusal itself says it (OrderNotCovered, still the API's insufficient_funds); for a service
suspended for insufficient funds, the charge unsuspending posts at once. Missing amounts are rounded
up to the currency's minor unit, so adding them is always enough."""

import datetime as dt
from decimal import Decimal

import pytest

from clientpanel.client_services.services import service_order
from clientpanel.client_services.shortfalls import OrderNotCovered, Shortfall, shortfall_of, shortfalls
from clientpanel.clients.models import Client
from clientpanel.ledger.services import InsufficientFunds

from .test_billing import make_product
from .test_unsuspend_funds import funded_client, suspended_for_funds

pytestmark = pytest.mark.django_db


def test_an_order_refused_for_funds_carries_what_they_lack_rounded_up_to_the_cent():
    client = funded_client("3.2051")
    product, price = make_product(key="vps-month", period="MONTHLY", amount="7.1234", setup="1.50")
    with pytest.raises(OrderNotCovered) as refused:
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert isinstance(refused.value, InsufficientFunds) and refused.value.code == "insufficient_funds"
    lack = refused.value.shortfall
    assert (lack.charge, lack.funds, lack.missing, lack.currency) == (
        Decimal("8.6234"), Decimal("3.2051"), Decimal("5.42"), "USD")  # 5.4183 lacking: 5.42 covers it
    assert lack.service is None


def test_a_covered_charge_lacks_nothing():
    client = Client.objects.get(pk=funded_client("10").pk)
    assert Shortfall.of(Decimal("10"), client) is None
    assert Shortfall.of(Decimal("10.0001"), client).missing == Decimal("0.01")


def test_the_missing_amount_of_a_suspended_service_is_what_its_next_charge_needs(clock):
    service = suspended_for_funds("0.7908")  # funds 0.8637 USD; the hour costs 0.9271
    now = dt.datetime(2027, 9, 2, 10, 18, 41, tzinfo=dt.UTC)
    clock(now)
    lack = shortfall_of(service, service.client, now=now)
    assert (lack.service, lack.charge, lack.funds, lack.missing) == (
        service, Decimal("0.9271"), Decimal("0.8637"), Decimal("0.07"))
    each, together = shortfalls(service.client, now=now)
    assert each == [lack] and together is None  # one service: no sum to show


def test_top_up_asks_at_least_the_portal_minimum():
    client = Client.objects.get(pk=funded_client("0.01").pk)
    assert Shortfall.of(Decimal("0.08"), client).top_up == "10.00"  # CLIENTPANEL_PORTAL_ADD_FUNDS_MIN
