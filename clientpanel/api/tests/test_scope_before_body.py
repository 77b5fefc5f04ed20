"""A token without an operation's scope is refused (403 missing_scope) before the request's body is
read: it used to get the body's 422 first, learning what each field must be — and a body that is not
JSON at all, or a query parameter out of range, answered the same way."""

from __future__ import annotations

import pytest

from clientpanel.accounts.services import api_token_create
from conftest import Api

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code

BAD_BODIES = [
    ("post", "/clients", {"email": 5}),
    ("post", "/clients/00000000-0000-0000-0000-000000000000/invoices/add-funds", {"net_amount": "12.345"}),
    ("post", "/clients/00000000-0000-0000-0000-000000000000/transactions", {"amount": "x"}),
    ("post", "/webhooks", {"url": "not a url", "events": ["nope"]}),
    ("post", "/products", {"name": ""}),
    ("post", "/services/00000000-0000-0000-0000-000000000000/suspend", None),
]


@pytest.mark.parametrize("method, path, body", BAD_BODIES)
def test_a_token_without_the_scope_gets_403_whatever_the_body(client, staff, method, path, body):
    _, secret = api_token_create(user=staff, scopes=["clients:read"])
    assert_error(getattr(Api(client, secret), method)(path, body or {}), 403, "missing_scope")


def test_a_bad_query_parameter_is_refused_for_scope_first(client, staff):
    _, secret = api_token_create(user=staff, scopes=["products:read"])
    assert_error(Api(client, secret).get("/clients?page_size=100000"), 403, "missing_scope")


def test_with_the_scope_the_body_is_judged(client, staff):
    _, secret = api_token_create(user=staff, scopes=["clients:read", "clients:write"])
    assert Api(client, secret).post("/clients", {"email": 5}).status_code == 422


def test_a_bad_token_is_still_401_not_403(client):
    assert_error(Api(client, "cp_nonsense").post("/clients", {"email": 5}), 401, "unauthorized")
