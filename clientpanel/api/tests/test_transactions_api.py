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
