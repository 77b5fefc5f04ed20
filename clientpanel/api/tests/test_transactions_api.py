import json

import pytest

from clientpanel.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def post(api, client, body, key=None):
    headers = dict(api.headers)
    if key:
        headers["Idempotency-Key"] = key
    return api.client.post(f"/api/v1/clients/{client.pk}/transactions", data=json.dumps(body),
                           content_type="application/json", headers=headers)


def test_post_and_list_transactions(api, make_client):
    client = make_client()
    created = post(api, client, {"amount": "150.00", "transaction_id": "wire-1", "description": "Top-up"})
    assert created.status_code == 201
    body = created.json()
    assert (body["type"], body["gross"], body["net"]) == ("ADJUSTMENT", "150.0000", "150.0000")
    assert (body["balance_before"], body["balance_after"]) == ("0.0000", "150.0000")
    assert body["created_at"].endswith("+00:00") and body["service"] is None and body["period_start"] is None
    again = post(api, client, {"amount": "150.00", "transaction_id": "wire-1", "description": "Top-up"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    listed = api.get(f"/clients/{client.pk}/transactions").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert api.get(f"/clients/{client.pk}").json()["balance"] == "150.0000"


def test_idempotency_key_replays_the_answer_and_refuses_a_different_request(api, make_client):
    client = make_client()
    first = post(api, client, {"amount": "5", "description": "Fee refund"}, key="k-1")
    second = post(api, client, {"amount": "5", "description": "Fee refund"}, key="k-1")
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert LedgerEntry.objects.filter(client=client).count() == 1
    other = post(api, client, {"amount": "6", "description": "Fee refund"}, key="k-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_failed_request_with_a_key_can_be_retried(api, make_client):
    client = make_client(credit_limit="0")
    refused = post(api, client, {"amount": "-5", "description": "Charge"}, key="k-2")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_funds"
    post(api, client, {"amount": "10", "description": "Top-up"})
    retried = post(api, client, {"amount": "-5", "description": "Charge"}, key="k-2")
    assert retried.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"amount": "1.00001", "description": "x"}, "amount"), ({"amount": "abc", "description": "x"}, "amount"),
    ({"amount": "0", "description": "x"}, "amount"), ({"amount": "9999999999999", "description": "x"}, "amount"),
    ({"amount": 0.5, "description": "x"}, "amount"), ({"amount": "1", "description": ""}, "description"),
    ({"amount": "1", "description": "x", "transaction_id": "t" * 101}, "transaction_id"),
    ({"amount": "1", "description": "x", "extra": 1}, "extra"),
])
def test_bad_transactions_are_field_errors_and_write_nothing(api, make_client, body, field):
    client = make_client()
    response = post(api, client, body)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("listing", ["transactions", "invoices", "services"])
@pytest.mark.parametrize("params, field", [
    ({"page_size": 501}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page"),
])
def test_a_client_list_out_of_its_page_bounds_is_a_field_error(api, make_client, listing, params, field):
    from clientpanel.api.tests.test_clients_api import assert_error

    assert_error(api.get(f"/clients/{make_client().pk}/{listing}", **params), 422, "validation_error", field)


def test_transactions_are_listed_page_by_page_with_the_count_of_all(api, make_client):
    client = make_client()
    for number in range(3):
        body = {"amount": "1.00", "transaction_id": f"wire-{number}", "description": "Top-up"}
        assert post(api, client, body).status_code == 201
    pages = [api.get(f"/clients/{client.pk}/transactions", page=page, page_size=2).json() for page in (1, 2, 3)]
    assert [page["count"] for page in pages] == [3, 3, 3]
    assert [len(page["results"]) for page in pages] == [2, 1, 0]
    assert len({entry["id"] for page in pages for entry in page["results"]}) == 3
