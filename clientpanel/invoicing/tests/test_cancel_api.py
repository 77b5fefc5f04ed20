"""POST /api/v1/invoices/{id}/cancel keeps the panel's rule: a partly paid proforma is cancelled
with confirm_paid naming what it received, which stays on the client's balance."""

from decimal import Decimal

import pytest

from clientpanel.accounts.services import api_token_create
from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def partly_paid(make_client):
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    return proforma


def status_of(document) -> str:
    return Document.objects.get(pk=document.pk).status


def test_a_partly_paid_proforma_is_cancelled_with_what_it_received(api, partly_paid):
    url = f"/invoices/{partly_paid.pk}/cancel"
    refused = api.client.post(f"/api/v1{url}", headers=api.headers)  # no body: as before for unpaid ones
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "document_state"
    assert "has received $40.00; cancelling it keeps $40.00" in refused.json()["error"]["message"]
    assert "confirm_paid" in refused.json()["error"]["fields"]
    # What to confirm is in the document itself: what it has received so far.
    shown = api.get(f"/invoices/{partly_paid.pk}").json()
    assert (shown["amount_paid"], shown["amount_due"]) == ("40.0000", "60.0000")
    stale = api.post(url, {"confirm_paid": "30.00"})
    assert stale.status_code == 409 and status_of(partly_paid) == DocumentStatus.UNPAID
    done = api.post(url, {"confirm_paid": "40.00"})
    assert done.status_code == 200 and done.json()["status"] == "CANCELLED"
    assert (done.json()["amount_paid"], done.json()["amount_due"]) == ("40.0000", "0.0000")
    assert Client.objects.get(pk=partly_paid.client_id).balance == Decimal("40")
    again = api.post(url, {"confirm_paid": "40.00"})
    assert again.status_code == 200 and again.json()["status"] == "CANCELLED"


@pytest.mark.parametrize("body", [{"confirm_paid": 40}, {"confirm_paid": "forty"}, {"confirm": "40.00"}])
def test_a_bad_confirmation_is_a_field_error_and_cancels_nothing(api, partly_paid, body):
    response = api.post(f"/invoices/{partly_paid.pk}/cancel", body)
    assert response.status_code == 422 and response.json()["error"]["fields"]
    assert status_of(partly_paid) == DocumentStatus.UNPAID


@pytest.mark.parametrize("raw", ['{"a":' * 5000, '{"confirm_paid": ' + "[" * 5000])
def test_a_body_nested_too_deeply_is_a_400_and_cancels_nothing(api, partly_paid, raw):
    # json.loads raises RecursionError (not a ValueError) on it: it was a 500.
    response = api.client.post(f"/api/v1/invoices/{partly_paid.pk}/cancel", raw, content_type="application/json",
                               headers=api.headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_body"
    assert status_of(partly_paid) == DocumentStatus.UNPAID


@pytest.mark.parametrize(("confirm", "said"), [
    ("40.00", "This proforma has received nothing, not $40.00; nothing was cancelled."),
    ("0.001", "at most 2 decimal places"),
])
def test_a_confirmation_sent_for_a_proforma_that_received_nothing_is_checked_too(api, make_client, confirm, said):
    # It was ignored: a cancel confirming $40.00 received went through on a proforma that had received nothing.
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    refused = api.post(f"/invoices/{proforma.pk}/cancel", {"confirm_paid": confirm})
    assert refused.status_code in (409, 422) and status_of(proforma) == DocumentStatus.UNPAID
    assert said in str(refused.json()["error"]), refused.json()
    for nothing in ("0.00", "0", "-0"):  # what it received, as the dialog sends it
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
        done = api.post(f"/invoices/{proforma.pk}/cancel", {"confirm_paid": nothing})
        assert done.status_code == 200 and done.json()["status"] == "CANCELLED"


def test_an_unpaid_proforma_still_cancels_without_a_body(api, make_client):
    proforma = proforma_add_funds(actor=None, client_id=make_client().pk, net_amount="10")
    response = api.client.post(f"/api/v1/invoices/{proforma.pk}/cancel", headers=api.headers)
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"


def test_a_token_without_finance_write_cannot_cancel(client, staff, partly_paid):
    _, secret = api_token_create(user=staff, scopes=["clients:read"])
    response = Api(client, secret).post(f"/invoices/{partly_paid.pk}/cancel", {"confirm_paid": "40.00"})
    assert response.status_code == 403 and status_of(partly_paid) == DocumentStatus.UNPAID


@pytest.mark.parametrize("content_type, body", [("application/x-www-form-urlencoded", "confirm_paid=40.00"),
                                                ("text/plain", '{"confirm_paid": "40.00"}')])
def test_a_confirmation_not_sent_as_json_is_refused_as_such(api, partly_paid, content_type, body):
    # It was read as no body at all: a 409 asking to confirm the amount the caller had just sent.
    response = api.client.post(f"/api/v1/invoices/{partly_paid.pk}/cancel", data=body, content_type=content_type,
                               headers=api.headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_body"
    assert response.json()["error"]["fields"] == {"body": ["The request body must be a JSON object."]}
    assert status_of(partly_paid) == DocumentStatus.UNPAID
