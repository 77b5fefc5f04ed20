"""An operation that reads no body refuses one: POST /services/{id}/suspend with {"reason": …}
was a 200 that ignored the reason. Blank and {} are no body."""

import json
from decimal import Decimal

import pytest

from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db


def send(api, method, path, raw):
    return getattr(api.client, method)(f"/api/v1{path}", data=raw, content_type="application/json",
                                       headers=api.headers)


@pytest.fixture
def service(api, make_client):
    from clientpanel.client_services.services import service_provision

    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("50"), description="Top-up")
    product = api.post("/products", {"key": "tiny", "name": "Tiny", "module": "sample", "prices": [
        {"currency": "USD", "period": "MONTHLY", "amount": "5.00"}]}).json()
    ordered = api.post(f"/clients/{client.pk}/services", {"product": product["id"],
                                                           "price": product["prices"][0]["id"]}).json()
    service_provision(service_id=ordered["id"])
    return ordered["id"]


@pytest.mark.parametrize("action", ["suspend", "unsuspend", "terminate", "retry"])
def test_a_service_action_refuses_a_body_it_does_not_read(api, service, action):
    refused = send(api, "post", f"/services/{service}/{action}", json.dumps({"reason": "apic"}))
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["fields"] == {"reason": ["Unknown field."]}
    assert api.get(f"/services/{service}").json()["status"] == "ACTIVE"  # nothing was done
    not_json = send(api, "post", f"/services/{service}/{action}", "reason=apic")
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_body"
    assert send(api, "post", f"/services/{service}/{action}", "[1]").status_code == 400


def test_no_body_blank_empty_object_or_null_is_no_body(api, service):
    assert send(api, "post", f"/services/{service}/suspend", "").status_code == 200
    assert send(api, "post", f"/services/{service}/unsuspend", "{}").status_code == 200
    assert send(api, "post", f"/services/{service}/suspend", " \n").status_code == 200
    assert send(api, "post", f"/services/{service}/unsuspend", "null").status_code == 200


def test_an_empty_form_is_no_body_and_a_forms_fields_are_unknown(api, service):
    path = f"/api/v1/services/{service}/suspend"
    assert api.client.post(path, headers=api.headers).status_code == 200  # an empty multipart form
    refused = api.client.post(path, {"reason": "apic"}, headers=api.headers)
    assert refused.status_code == 422 and refused.json()["error"]["fields"] == {"reason": ["Unknown field."]}
    empty_urlencoded = api.client.post(path.replace("suspend", "unsuspend"), "",
                                       content_type="application/x-www-form-urlencoded", headers=api.headers)
    assert empty_urlencoded.status_code == 200


def test_a_body_nested_past_the_parsers_depth_is_a_400_not_a_500(api, service):
    deep = send(api, "post", f"/services/{service}/suspend", "[" * 5000)
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "invalid_body"


def test_a_delete_refuses_a_body_too(api, make_client):
    client = make_client()
    address = api.post(f"/clients/{client.pk}/addresses", {
        "type": "SHIPPING", "name": "Depot", "address1": "Main 1", "city": "Leeds", "postcode": "LS1 1AA",
        "country": "GB"}).json()
    path = f"/clients/{client.pk}/addresses/{address['id']}"
    refused = send(api, "delete", path, json.dumps({"force": True}))
    assert refused.status_code == 422 and "force" in refused.json()["error"]["fields"]
    assert send(api, "delete", path, "").status_code == 204
