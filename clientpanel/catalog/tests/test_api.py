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
                               "amount": "8.5000", "setup_fee": "0.0000"}]
    bad = post(api, "/products", {"key": "Bad Key!", "name": "", "module": "nope", "module_settings": {"x": 1}})
    assert bad.status_code == 422 and {"key", "name", "module"} <= set(bad.json()["error"]["fields"])
    bad_price = post(api, "/products", {"key": "x", "name": "X", "prices": [{"currency": "JPY", "period": "DAILY",
                                                                              "amount": "-1"}]})
    assert bad_price.status_code == 422 and "prices.0.currency" in bad_price.json()["error"]["fields"]
    assert Product.objects.count() == 1  # nothing of the refused products was written
    assert api.get("/products").json()["count"] == 1
