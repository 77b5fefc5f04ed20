import json
from decimal import Decimal

import pytest

from clientpanel.client_services.models import Service
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db


def post(api, path, body=None):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json",
                           headers=api.headers)


def test_order_read_and_act_on_a_service(api, make_client):
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("50"), description="Top-up")
    product = post(api, "/products", {"key": "medium", "name": "Medium", "module": "sample",
                                      "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "20.00"}]}).json()
    ordered = post(api, f"/clients/{client.pk}/services",
                   {"product": product["id"], "price": product["prices"][0]["id"]})
    assert ordered.status_code == 201, ordered.content
    service = ordered.json()
    assert (service["status"], service["price"]["amount"], service["price"]["period"]) == ("PENDING", "20.0000",
                                                                                           "MONTHLY")
    from clientpanel.client_services.services import service_provision

    service_provision(service_id=service["id"])
    read = api.get(f"/services/{service['id']}").json()
    assert (read["status"], read["provision_status"]) == ("ACTIVE", "COMPLETED") and read["billed_until"]
    assert post(api, f"/services/{service['id']}/suspend").json()["status"] == "SUSPENDED"
    assert post(api, f"/services/{service['id']}/unsuspend").json()["status"] == "ACTIVE"
    retry = post(api, f"/services/{service['id']}/retry")
    assert retry.status_code == 409 and retry.json()["error"]["code"] == "service_state"
    assert post(api, f"/services/{service['id']}/terminate").json()["status"] == "TERMINATED"
    listed = api.get(f"/clients/{client.pk}/services").json()
    assert listed["count"] == 1


def test_order_without_funds_is_refused_and_writes_nothing(api, make_client):
    client = make_client(currency="USD")
    product = post(api, "/products", {"key": "medium", "name": "Medium", "module": "manual",
                                      "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "20.00"}]}).json()
    refused = post(api, f"/clients/{client.pk}/services", {"product": product["id"],
                                                           "price": product["prices"][0]["id"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_funds"
    bad = post(api, f"/clients/{client.pk}/services", {"product": "nope", "price": 999})
    assert bad.status_code == 422 and "product" in bad.json()["error"]["fields"]
    assert not Service.objects.exists()


def test_ordering_a_product_without_a_price_in_the_clients_currency_is_a_422_naming_it(api, make_client):
    from clientpanel.catalog.services import exchange_rate_save

    client = make_client(currency="EUR")
    product = post(api, "/products", {"key": "usd-only", "name": "USD only", "derive_prices": True,
                                      "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "20.00"}]}).json()
    body = {"product": product["id"], "price": product["prices"][0]["id"], "allow_over_limit": True}
    refused = post(api, f"/clients/{client.pk}/services", body)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["product"] == ["USD only has no price in EUR, the client's currency."]
    exchange_rate_save(actor=None, currency="EUR", rate="0.9153")
    ordered = post(api, f"/clients/{client.pk}/services", body)
    assert ordered.status_code == 201, ordered.content
    assert (ordered.json()["price"]["currency"], ordered.json()["price"]["amount"]) == ("EUR", "18.3100")
    derived = api.get("/products").json()["results"][0]["derived_prices"]
    assert {"currency": "EUR", "period": "MONTHLY", "amount": "18.3100", "setup_fee": "0.0000",
            "from_price": product["prices"][0]["id"], "exchange_rate": "0.9153"} in derived


def test_a_boolean_where_a_price_id_or_a_number_of_days_goes_is_a_422(api, make_client):
    client = make_client()
    ordered = api.post(f"/clients/{client.pk}/services", {"product": "anything", "price": True})
    assert ordered.status_code == 422 and "price" in ordered.json()["error"]["fields"], ordered.content
    changed = api.patch(f"/clients/{client.pk}", {"payment_terms_days": True})
    assert changed.status_code == 422 and "payment_terms_days" in changed.json()["error"]["fields"], changed.content
    client.refresh_from_db()
    assert client.payment_terms_days is None and not client.services.exists()


def test_services_ordered_at_the_same_moment_page_in_a_fixed_order_newest_id_first(api, make_client):
    # A sync pages a client's services by order_date; rows sharing it (an import, one basket) need a
    # tie-breaker, or a page may repeat one service and skip another.
    client = make_client(currency="USD")
    product = post(api, "/products", {"key": "tied", "name": "Tied", "module": "manual",
                                      "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "0.00"}]}).json()
    body = {"product": product["id"], "price": product["prices"][0]["id"], "allow_over_limit": True}
    for _ in range(4):
        assert post(api, f"/clients/{client.pk}/services", body).status_code == 201
    Service.objects.update(order_date=Service.objects.earliest("order_date").order_date)
    listed = [row["id"] for row in api.get(f"/clients/{client.pk}/services").json()["results"]]
    assert listed == sorted((str(pk) for pk in Service.objects.values_list("pk", flat=True)), reverse=True)
    paged = [row["id"] for page in (1, 2, 3, 4)
             for row in api.get(f"/clients/{client.pk}/services", page=page, page_size=1).json()["results"]]
    assert paged == listed
