"""No Add Funds proforma for a closed client — an erased one is closed too (privacy.client_erase) —
or one marked as fraud (proformas.takes_top_ups): refused by staff, the API and the portal (staff's
Login as Owner: the client's own users are barred already) with a 409 `client_closed` that says
why, never a 500, judged again under the client's lock. Staff still bill it: a proforma from the
editor is issued as before (docs/decisions.md)."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.clients.models import Client, ClientStatus
from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds, proforma_issue, proformas

pytestmark = pytest.mark.django_db

CLOSED_WORDS = "This client is closed: reopen it before adding funds."
FRAUD_WORDS = "This client is marked as fraud: change its status before adding funds."
STATUSES = [(ClientStatus.CLOSED, CLOSED_WORDS), (ClientStatus.FRAUD, FRAUD_WORDS)]


def _set_status(client, status):
    Client.objects.filter(pk=client.pk).update(status=status)
    client.refresh_from_db()


@pytest.mark.parametrize(("status", "words"), STATUSES)
def test_add_funds_for_a_closed_or_fraud_client_is_refused_and_issues_nothing(make_client, staff, status, words):
    client = make_client(currency="USD")
    _set_status(client, status)
    assert not proformas.takes_top_ups(client)
    for actor, amount in ((None, "20"), (staff, "20"), (staff, "not an amount")):  # no amount would do
        with pytest.raises(Conflict) as refused:
            proforma_add_funds(actor=actor, client_id=client.pk, net_amount=amount)
        assert (refused.value.code, refused.value.message) == ("client_closed", words)
    assert not Document.objects.exists()


def test_a_client_closed_while_add_funds_runs_is_refused_under_its_lock(make_client, monkeypatch):
    client = make_client(currency="USD")
    real = proformas.clean_positive_amount

    def close_meanwhile(*args, **kwargs):  # staff close it after the first look, before the lock
        _set_status(client, ClientStatus.CLOSED)
        return real(*args, **kwargs)

    monkeypatch.setattr(proformas, "clean_positive_amount", close_meanwhile)
    with pytest.raises(Conflict, match="This client is closed"):
        proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    assert not Document.objects.exists()


def test_an_open_client_adds_funds_and_staff_still_bill_a_closed_one(make_client, staff):
    client = make_client(currency="USD")
    for status in (ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE):
        _set_status(client, status)
        assert proforma_add_funds(actor=staff, client_id=client.pk, net_amount="20").net == Decimal("20")
    _set_status(client, ClientStatus.CLOSED)
    billed = proforma_issue(actor=staff, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100"}])
    assert billed.number and billed.net == Decimal("100")


@pytest.mark.parametrize(("status", "words"), STATUSES)
def test_the_api_answers_a_409_in_the_one_error_shape(api, make_client, status, words):
    client = make_client(currency="USD")
    _set_status(client, status)
    refused = api.client.post(f"/api/v1/clients/{client.pk}/invoices/add-funds", data=json.dumps(
        {"net_amount": "20.00"}), content_type="application/json", headers=api.headers)
    assert refused.status_code == 409, refused.content
    assert refused.json() == {"error": {"code": "client_closed", "message": words, "fields": {}}}
    assert not Document.objects.exists()


def test_the_staff_panel_shows_the_refusal_on_the_form(staff_client, make_client):
    client = make_client(currency="USD")
    _set_status(client, ClientStatus.CLOSED)
    page = staff_client.post(reverse("backoffice:add-funds", args=[client.pk]), {"net_amount": "20"})
    assert page.status_code == 200 and CLOSED_WORDS in page.content.decode()
    assert not Document.objects.exists()


def test_login_as_owner_cannot_add_funds_for_a_closed_client_either(staff_client, make_client):
    client = make_client(currency="USD")
    assert staff_client.post(reverse("backoffice:client-login-as", args=[client.pk])).status_code == 302
    _set_status(client, ClientStatus.CLOSED)
    page = staff_client.post(reverse("portal:add-funds"), {"amount": "20"})
    assert page.status_code == 200 and CLOSED_WORDS in page.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize(("status", "words"), STATUSES)
def test_a_top_up_line_is_add_funds_too_and_refused_the_same_way(api, make_client, staff, status, words):
    """A proforma with a top-up line adds funds once paid, as Add Funds does: refused for a closed or
    fraud client, from the editor and the API alike; the same proforma without the line is issued."""
    client = make_client(currency="USD")
    _set_status(client, status)
    items = [{"description": "Hosting", "quantity": "1", "unit_price": "10"},
             {"description": "Top up", "quantity": "1", "unit_price": "10", "is_topup": True}]
    with pytest.raises(Conflict) as refused:
        proforma_issue(actor=staff, client_id=client.pk, items=items)
    assert (refused.value.code, refused.value.message) == ("client_closed", words)
    answer = api.client.post(f"/api/v1/clients/{client.pk}/invoices", data=json.dumps({"items": [
        {"description": "Top up", "unit_price": "10", "top_up": True}]}), content_type="application/json",
        headers=api.headers)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "client_closed", answer.content
    assert not Document.objects.exists()
    assert proforma_issue(actor=staff, client_id=client.pk, items=items[:1]).net == Decimal("10")
