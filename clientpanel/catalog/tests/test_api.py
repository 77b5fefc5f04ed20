import json

import pytest

from clientpanel.catalog.models import Product

pytestmark = pytest.mark.django_db


def post(api, path, body=None):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json",
                           headers=api.headers)


def test_products_with_prices_and_bad_input(api):
    created = post(api, "/products", {"key": "proxmox-lxc-mini", "name": "MINI", "module": "sample",
                                      "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "8.50"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["prices"] == [{"id": body["prices"][0]["id"], "currency": "USD", "period": "MONTHLY",
                               "amount": "8.5000", "setup_fee": "0.0000", "retired": False}]
    bad = post(api, "/products", {"key": "Bad Key!", "name": "", "module": "nope", "module_settings": {"x": 1}})
    assert bad.status_code == 422 and {"key", "name", "module"} <= set(bad.json()["error"]["fields"])
    bad_price = post(api, "/products", {"key": "x", "name": "X", "prices": [{"currency": "JPY", "period": "DAILY",
                                                                              "amount": "-1"}]})
    assert bad_price.status_code == 422 and "prices.0.currency" in bad_price.json()["error"]["fields"]
    assert Product.objects.count() == 1  # nothing of the refused products was written
    assert api.get("/products").json()["count"] == 1


def test_a_price_is_changed_retired_and_brought_back_through_the_api_and_services_keep_theirs(api, make_client):
    made = post(api, "/products", {"key": "vps", "name": "VPS", "derive_prices": True,
                                   "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "20.00"}]}).json()
    price_id = made["prices"][0]["id"]
    service = post(api, f"/clients/{make_client(currency='USD').pk}/services",
                   {"product": made["id"], "price": price_id, "allow_over_limit": True}).json()
    url = f"/products/{made['id']}/prices/{price_id}"
    changed = api.patch(url, {"amount": "22.50", "setup_fee": "1.00"})
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"id": price_id, "currency": "USD", "period": "MONTHLY", "amount": "22.5000",
                              "setup_fee": "1.0000", "retired": False}
    assert api.patch(url, {"retired": True}).json()["retired"] is True
    assert api.patch(url, {"retired": False}).json()["retired"] is False
    kept = api.get(f"/services/{service['id']}").json()["price"]
    assert (kept["id"], kept["amount"], kept["setup_fee"]) == (price_id, "20.0000", "0.0000")
    listed = api.get("/products").json()["results"][0]
    assert listed["derive_prices"] is True and listed["derived_prices"] == []  # no rate yet


@pytest.mark.parametrize("body, status, field", [
    ({"amount": "-1"}, 422, "amount"),
    ({"amount": "1.001"}, 422, "amount"),
    ({"amount": "9" * 30}, 422, "amount"),
    ({"amount": 1.5}, 422, "amount"),
    ({"amount": None}, 422, "amount"),
    ({"retired": "maybe"}, 422, "retired"),
    ({"currency": "EUR"}, 422, "currency"),  # not editable here: add another price
])
def test_a_bad_price_change_is_a_4xx_naming_the_field(api, body, status, field):
    made = post(api, "/products", {"key": "vps", "name": "VPS",
                                   "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "20.00"}]}).json()
    response = api.patch(f"/products/{made['id']}/prices/{made['prices'][0]['id']}", body)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]


def test_another_products_price_or_an_unknown_one_is_a_404_and_a_token_without_products_a_403(api, client):
    from clientpanel.accounts.services import api_token_create, staff_create
    from conftest import Api

    first = post(api, "/products", {"key": "a", "name": "A",
                                    "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "1"}]}).json()
    second = post(api, "/products", {"key": "b", "name": "B"}).json()
    price_id = first["prices"][0]["id"]
    assert api.patch(f"/products/{second['id']}/prices/{price_id}", {"amount": "2"}).status_code == 404
    assert api.patch(f"/products/{first['id']}/prices/999999", {"amount": "2"}).status_code == 404
    assert api.patch(f"/products/{first['id']}/prices/{2**40}", {"amount": "2"}).status_code in (404, 422)
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    _, token = api_token_create(user=support)
    refused = Api(client, token).patch(f"/products/{first['id']}/prices/{price_id}", {"amount": "2"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_scope"
    assert api.get("/products").json()["results"][0]["prices"][0]["amount"] == "1.0000"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_module_settings_with_a_number_json_does_not_have_are_a_422_and_no_product(api, number):
    # Python's JSON reader takes them; PostgreSQL's jsonb (and SQLite's JSON check) refused them: a 500.
    from clientpanel.catalog.models import Product

    body = '{"key": "odd", "name": "Odd", "module_settings": {"limit": NUMBER}}'.replace("NUMBER", number)
    response = api.post("/products", body)
    assert response.status_code == 422, response.content
    assert "finite number" in response.json()["error"]["fields"]["module_settings"][0]
    assert not Product.objects.filter(key="odd").exists()
