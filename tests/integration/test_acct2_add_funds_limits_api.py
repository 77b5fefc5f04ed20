"""Settings → Add Funds limits over the REST API (/api/v1/add-funds-limits): list, set one
currency's limits, remove them — the staff page's services, rules and audit events, for a token
with settings:write; bad input is a 422 naming the field and writes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from clientpanel.accounts.scopes import FINANCE_READ, FINANCE_WRITE
from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.invoicing.add_funds_limits import portal_limits
from clientpanel.invoicing.models import AddFundsLimit

pytestmark = pytest.mark.django_db

URL = "/api/v1/add-funds-limits"


def _call(client, token, method, path, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if body is not None:
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


@pytest.fixture
def call(client, api_token):
    return lambda method, path, body=None: _call(client, api_token, method, path, body)


def _row(body, currency):
    return next(r for r in body["results"] if r["currency"] == currency)


def test_list_set_and_remove(call, settings):
    listed = call("get", URL)
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert [r["currency"] for r in body["results"]] == list(settings.CLIENTPANEL_CURRENCIES)
    assert body["count"] == len(settings.CLIENTPANEL_CURRENCIES)
    assert _row(body, "EUR")["own"] is False

    saved = call("put", f"{URL}/eur", {"minimum": "10.00", "maximum": "5000", "maximum_balance": "20000.50"})
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"currency": "EUR", "minimum": "10.0000", "maximum": "5000.0000",
                            "maximum_balance": "20000.5000", "own": True}
    assert portal_limits("EUR").maximum == Decimal("5000")
    assert _row(call("get", URL).json(), "EUR") == saved.json()
    event = AuditEvent.objects.get(action="add_funds_limit.create")
    assert event.actor_kind == "api_token" and event.object_label == "EUR"

    again = call("put", f"{URL}/EUR", {"minimum": "10", "maximum": "5000.00", "maximum_balance": "20000.5"})
    assert again.status_code == 200 and again.json() == saved.json()
    assert not AuditEvent.objects.filter(action="add_funds_limit.update").exists()  # the same figures: no write
    changed = call("put", f"{URL}/EUR", {"minimum": "10", "maximum": "6000"})
    assert changed.json()["maximum_balance"] is None
    assert AuditEvent.objects.filter(action="add_funds_limit.update").count() == 1

    removed = call("delete", f"{URL}/EUR")
    assert removed.status_code == 204
    assert not AddFundsLimit.objects.exists()
    assert AuditEvent.objects.filter(action="add_funds_limit.delete").count() == 1
    assert _row(call("get", URL).json(), "EUR")["own"] is False

    missing = call("delete", f"{URL}/EUR")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"code", "message", "fields"}


def test_a_currency_without_decimals_takes_none(call):
    assert call("put", f"{URL}/PLN", {"minimum": "5", "maximum": "100"}).status_code == 200
    response = call("put", f"{URL}/USD", {"minimum": "1.001", "maximum": "100"})
    assert response.status_code == 422 and "minimum" in response.json()["error"]["fields"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("USD", {"minimum": "ten", "maximum": "100"}, "minimum"),
    ("USD", {"minimum": "1", "maximum": "12abc"}, "maximum"),
    ("USD", {"minimum": "-5", "maximum": "100"}, "minimum"),
    ("USD", {"minimum": "0", "maximum": "100"}, "minimum"),
    ("USD", {"minimum": "1", "maximum": "100", "maximum_balance": "-1"}, "maximum_balance"),
    ("USD", {"minimum": "1.005", "maximum": "100"}, "minimum"),
    ("USD", {"minimum": "500", "maximum": "100"}, "maximum"),
    ("USD", {"minimum": "50", "maximum": "100", "maximum_balance": "10"}, "maximum_balance"),
    ("USD", {"minimum": "1", "maximum": "100000000000"}, "maximum"),
    ("USD", {"minimum": 10, "maximum": "100"}, "minimum"),  # a JSON number: money travels as text
    ("USD", {"minimum": "1\x00", "maximum": "100"}, "minimum"),
    ("USD", {"minimum": "1", "maximum": "100", "maximum_balance": "\x00"}, "maximum_balance"),
    ("USD", {"maximum": "100"}, "minimum"),
    ("USD", {"minimum": "1", "maximum": "100", "surplus": "1"}, "surplus"),
    ("XYZ", {"minimum": "1", "maximum": "100"}, "currency"),
    ("US%00", {"minimum": "1", "maximum": "100"}, "currency"),
    ("USDX", {"minimum": "1", "maximum": "100"}, "currency"),
    ("U" * 5000, {"minimum": "1", "maximum": "100"}, "currency"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(call, path, body, field):
    response = call("put", f"{URL}/{path}", body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert not AddFundsLimit.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="add_funds_limit").exists()


def test_a_body_that_is_not_json_is_refused(call):
    response = call("put", f"{URL}/USD", "minimum=1")
    assert response.status_code in (400, 422)
    assert not AddFundsLimit.objects.exists()


def test_removing_with_nul_or_an_unknown_currency_is_refused_cleanly(call):
    call("put", f"{URL}/USD", {"minimum": "1", "maximum": "100"})
    for path in ("XYZ", "US%00", "%00", "U" * 5000):
        response = call("delete", f"{URL}/{path}")
        assert response.status_code in (404, 422), (path, response.content)
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert AddFundsLimit.objects.filter(currency="USD").exists()


def test_a_token_without_settings_write_gets_403(client, settings):
    accountant = staff_create(email="acc@example.com", password="correct-horse-battery", roles=["Accountant"])
    _, finance = api_token_create(user=accountant)  # finance:read and finance:write, no settings area
    admin = staff_create(email="adm@example.com", password="correct-horse-battery", roles=["Administrator"])
    _, narrow = api_token_create(user=admin, scopes=[FINANCE_READ, FINANCE_WRITE])
    AddFundsLimit.objects.create(currency="USD", minimum=Decimal("1"), maximum=Decimal("100"))
    for token in (finance, narrow):
        for method, path, body in (("get", URL, None), ("put", f"{URL}/USD", {"minimum": "2", "maximum": "50"}),
                                   ("delete", f"{URL}/USD", None)):
            response = _call(client, token, method, path, body)
            assert response.status_code == 403, (method, response.content)
            assert response.json()["error"]["code"]
    assert AddFundsLimit.objects.get(currency="USD").maximum == Decimal("100")
    assert not AuditEvent.objects.filter(action__startswith="add_funds_limit").exists()
    assert client.get(URL).status_code == 401


def test_the_list_is_paged_as_every_api_list(call, settings):
    first = call("get", URL + "?page=1&page_size=2").json()
    second = call("get", URL + "?page=2&page_size=2").json()
    assert first["count"] == second["count"] == len(settings.CLIENTPANEL_CURRENCIES)
    assert [r["currency"] for r in first["results"] + second["results"]] == list(settings.CLIENTPANEL_CURRENCIES[:4])
    assert call("get", URL + "?page_size=100000").status_code == 422
