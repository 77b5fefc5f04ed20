"""A retired product through the catalog, ordering, automation and the ledger: no new orders, while
the services already sold go on being charged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from clientpanel.catalog.services import price_save, product_retire, product_save
from clientpanel.client_services.models import ServiceCharge
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import entry_post
from conftest import client_data

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)  # after the real "now": orders lie before every pass


def test_a_retired_product_takes_no_new_orders_and_its_services_go_on():
    product = product_save(actor=None, data={"key": "vps-s", "name": "VPS S", "hourly_billing": True})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "USD", "period": "HOURLY",
                                                                "amount": "0.1042"})
    client = client_create(actor=None, data=client_data(currency="USD"))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("10"), description="Top-up")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    call_command("run_automation", "--at", T.isoformat())

    product_retire(actor=None, product_id=product.pk)

    with pytest.raises(ValidationFailed) as refused:
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert refused.value.fields["product"] == ["Choose a product that is on sale."]
    call_command("run_automation", "--at", (T + dt.timedelta(hours=2, minutes=1)).isoformat())
    assert ServiceCharge.objects.filter(service=service, kind="PERIOD").count() == 3
    client.refresh_from_db()
    assert client.balance == Decimal("10") - 3 * Decimal("0.1042")
    assert ledger_breaches() == []
