"""A service's charge names the service as its pages do ("VPS D4E0GV, 1 month × 10.00") on the
staff Transactions tab, Finance → Transactions, the CSV exports and the portal, where the stored
English keeps its ID; the names come in the list's own query (not one query per row), the lists'
search finds a service's charges by its label or product, and a service that is gone reads as
stored. The API keeps the stored English."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post, manual_transaction_create
from conftest import client_data

pytestmark = pytest.mark.django_db
PASSWORD = "service-names-passphrase"
T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def world():
    client = client_create(actor=None, data=client_data(currency="PLN", language="pl", password=PASSWORD))
    manual_transaction_create(actor=None, client_id=client.pk, amount="1000.00", description="Wpłata")
    product = Product.objects.create(key="vps", name="VPS Large", module="sample")
    price = Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal("10.00"))
    return {"client": client, "product": product, "price": price}


def _order(world, count: int) -> list[Service]:
    """`count` more services of the client, each charged its first month."""
    services = [service_order(actor=None, client_id=world["client"].pk, product_id=world["product"].pk,
                              price_id=world["price"].pk) for _ in range(count)]
    call_command("run_automation", "--at", T.isoformat())
    return services


def _portal(world) -> Browser:
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": world["client"].owner.email,
                                                  "password": PASSWORD}).status_code == 302
    return browser


def _pages(world) -> dict:
    tab = reverse("backoffice:client-transactions", args=[world["client"].pk])
    return {"tab": tab, "finance": reverse("backoffice:finance-transactions"),
            "tab_csv": reverse("backoffice:client-transactions-export", args=[world["client"].pk]),
            "finance_csv": reverse("backoffice:finance-transactions-export")}


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_every_list_names_the_service_and_not_its_id_in_both_languages(world, staff_client, staff):
    (service,) = _order(world, 1)
    for language, words in (("en", "1 month × 10.00"), ("pl", "1 miesiąc × 10,00")):
        User.objects.filter(pk=staff.pk).update(language=language)
        world["client"].owner.__class__.objects.filter(pk=world["client"].owner.pk).update(language=language)
        shown = {name: _text(staff_client.get(url)) for name, url in _pages(world).items()}
        shown["portal"] = _text(_portal(world).get(reverse("portal:transactions")))
        for name, text in shown.items():
            assert f"VPS Large {service.label}, {words}" in text, (language, name)
            assert str(service.pk) not in text, (language, name)


def test_the_lists_read_the_names_in_their_own_query_however_many_services(world, staff_client):
    """One service's charge or four services' charges: the same number of queries on each list."""
    urls = list(_pages(world).values())
    portal = _portal(world)
    for url in urls:  # the first request of a session reads what later ones find cached
        _text(staff_client.get(url))
    counts = []
    for more in (1, 3):
        _order(world, more)
        seen = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                _text(staff_client.get(url))
            seen.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            _text(portal.get(reverse("portal:transactions")))
        seen.append(len(queries))
        counts.append(seen)
    assert counts[0] == counts[1], counts


def test_the_staff_search_finds_a_services_charges_by_its_label_or_product(world, staff_client):
    first, second = _order(world, 2)
    for url in (_pages(world)["tab"], _pages(world)["finance"]):
        found = staff_client.get(url, {"q": first.label}).content.decode()
        assert f"VPS Large {first.label}," in found and f"VPS Large {second.label}," not in found
        assert "Wpłata" not in found
        by_product = staff_client.get(url, {"q": "large"}).content.decode()
        assert f"VPS Large {first.label}," in by_product and f"VPS Large {second.label}," in by_product
    export = _text(staff_client.get(_pages(world)["tab_csv"], {"q": second.label}))
    assert f"VPS Large {second.label}," in export and f"VPS Large {first.label}," not in export


def test_a_service_that_is_gone_reads_as_the_charge_was_written(world, staff_client, staff):
    gone = uuid.uuid4()
    entry_post(client_id=world["client"].pk, type=EntryType.CHARGE, net=Decimal("-3"), service_id=gone,
               description=f"Service:{gone}, 3 months × 3.0000")
    User.objects.filter(pk=staff.pk).update(language="pl")
    assert f"Usługa {gone}, 3 miesiące × 3,00" in staff_client.get(_pages(world)["tab"]).content.decode()


def test_the_api_keeps_the_stored_english(world, api):
    (service,) = _order(world, 1)
    items = api.get(f"/clients/{world['client'].pk}/transactions", page_size=50).json()["results"]
    assert f"Service:{service.pk}, 1 month × 10.0000" in {item["description"] for item in items}
    assert not any(service.label in item["description"] for item in items)
