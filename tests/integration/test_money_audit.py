"""An accountant's audit of 2026-11-25: each rule with figures of its own, through the real services."""

from decimal import Decimal

import pytest

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order, service_provision
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_update
from clientpanel.core.errors import ValidationFailed
from clientpanel.ledger.models import LedgerEntry
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def yen(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY", "KWD"]


# --- a client's currency and what is priced in it -----------------------------------------------

def test_the_currency_stays_while_a_service_waits_to_charge_its_price_in_it(yen):
    client = client_create(actor=None, data=client_data(currency="USD", credit_limit="100"))
    product = Product.objects.create(key="vps", name="VPS", module="manual")
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("20.50"),
                                 setup_fee=Decimal("5"))
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert not LedgerEntry.objects.filter(client=client).exists()  # nothing charged yet: pending

    with pytest.raises(ValidationFailed) as refused:
        client_update(actor=None, client_id=client.pk, data={"currency": "JPY"})
    assert "services priced in it" in refused.value.fields["currency"][0]
    assert Client.objects.get(pk=client.pk).currency == "USD"
    # Its charges land in the currency they were priced in: 5.00 + 20.50 dollars, never "20.5 yen".
    service_provision(service_id=service.pk)
    assert sorted(LedgerEntry.objects.filter(client=client).values_list("net", flat=True)) == [
        Decimal("-20.5"), Decimal("-5")]


@pytest.mark.parametrize("limit, currency, ok", [
    ("100.50", "JPY", False), ("100", "JPY", True), ("100.50", "KWD", True), ("100.50", "EUR", True)])
def test_a_credit_limit_kept_through_a_change_of_currency_fits_the_new_one(yen, limit, currency, ok):
    client = client_create(actor=None, data=client_data(currency="USD", credit_limit=limit))
    if ok:
        client_update(actor=None, client_id=client.pk, data={"currency": currency})
        assert Client.objects.get(pk=client.pk).currency == currency
        return
    with pytest.raises(ValidationFailed) as refused:
        client_update(actor=None, client_id=client.pk, data={"currency": currency})
    assert refused.value.fields["credit_limit"] == ["JPY amounts have no decimal places."]
    assert Client.objects.get(pk=client.pk).currency == "USD"
    # Sent with a limit that fits, the change goes through.
    client_update(actor=None, client_id=client.pk, data={"currency": currency, "credit_limit": "100"})
    assert (Client.objects.get(pk=client.pk).currency, Client.objects.get(pk=client.pk).credit_limit) == (
        "JPY", Decimal("100"))
