"""The bad-input sweep over the API's write operations (POST, PATCH, PUT, DELETE of /api/v1/).

For each operation the OpenAPI document's own example body is sent with one field at a time made
wrong — NUL bytes, lone surrogates, 10,000 characters, numbers beyond every range and NaN,
Infinity and 1e999 as JSON literals, the wrong JSON type, null, unknown enum values, invalid and
unknown UUIDs, impossible dates — and the whole body made wrong (a list, a string, null, broken
JSON); path ids are sent invalid and unknown. No answer may be a 5xx, and an answer of 400 or more
must leave every table's row count as it was (no half-write). schemathesis
(api/tests/test_schemathesis.py) fuzzes the same operations for their declared shapes; this
sweep adds the values it rarely draws and the half-write check.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction

from clientpanel.catalog.services import price_save, product_save
from clientpanel.clients.services import address_create, client_user_link
from clientpanel.webhooks.services import endpoint_create
from tests.integration import bad_input_probe as probe

pytestmark = pytest.mark.django_db

UNKNOWN_UUID = "01a20d00-0000-7000-8000-000000000000"
# JSON fragments: (label, the raw JSON text of the value)
BAD_JSON_VALUES = [  # the first QUICK of them in the durable run; SWEEP_FULL=1 sends all
    ("nul", json.dumps(probe.NUL)), ("surrogate", '"Probe\\ud800"'), ("long", json.dumps(probe.LONG)),
    ("null", "null"), ("list", '["a", 1]'), ("object", '{"a": {"b": [1]}}'), ("true", "true"),
    ("huge-int", str(10**30)), ("NaN", "NaN"), ("1e999-literal", "1e999"), ("unknown-enum", '"NO_SUCH_VALUE"'),
    ("bad-uuid", '"not-a-uuid"'), ("date-feb30", '"2026-02-30"'), ("whitespace", '"   "'),
    ("c1", json.dumps("Probe\x85")), ("zero-width", '"\\u200b"'), ("negative", "-1"), ("float", "1.5"),
    ("Infinity", "Infinity"), ("1e999-string", '"1e999"'), ("nan-string", '"NaN"'), ("huge-string", f'"{10**30}"'),
    ("nil-uuid", f'"{UNKNOWN_UUID}"'), ("date-0000", '"0000-00-00"'), ("date-9999", '"9999-12-31"'),
    ("unicode-email", '"żółć@exämple.com"'), ("long-email", json.dumps("a" * 300 + "@example.com")),
]
BAD_BODIES = ["[]", "{", '{"\\u0000": 1}', "NaN", '"text"', "null", "1", '{"a": 1}']
WRITE = ("post", "patch", "put", "delete")


class _Rollback(Exception):
    pass


@pytest.fixture
def ids(make_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    client = make_client(currency="PLN", credit_limit="1000")
    address = address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL",
                                                                    "city": "Kraków", "address1": "Rynek 1"})
    user = client_user_link(actor=None, client_id=client.pk, data={
        "email": "second@example.com", "firstname": "Second", "lastname": "User", "permissions": []}).user
    product = product_save(actor=None, data={"key": "vps", "name": "VPS"})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "PLN", "period": "MONTHLY",
                                                                "amount": "10.00"})
    endpoint, _secret = endpoint_create(actor=None, data={"url": "http://127.0.0.1:9/hook"})
    return {"client_id": client.pk, "address_id": address.pk, "user_id": user.pk, "product_id": product.pk,
            "price_id": price.pk, "webhook_id": endpoint.pk, "message_id": "msg_0", "currency": "USD"}


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in WRITE:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in body:
                if body:  # multipart (the import upload): its own tests
                    continue
                yield path, method, None
                continue
            yield path, method, _example(schema, body["application/json"]["schema"])


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _example(schema: dict, node: dict) -> dict:
    node = _resolve(schema, node)
    examples = node.get("examples") or []
    return dict(examples[0]) if examples else {}


def send(api, method: str, path: str, raw: str | None):
    kwargs = {"headers": api.headers}
    if raw is not None:
        kwargs.update(data=raw, content_type="application/json")
    try:
        with transaction.atomic():
            before = probe.row_counts()
            try:
                response = getattr(api.client, method)(f"/api/v1{path}", **kwargs)
            except Exception as error:
                return f"500 {type(error).__name__}: {error}"
            after = probe.row_counts()
            raise _Rollback((response, before, after))
    except _Rollback as done:
        response, before, after = done.args[0]
    if response.status_code >= 500:
        return f"{response.status_code} {response.content[:300]!r}"
    changed = probe.changed_tables(before, after)
    if response.status_code >= 400 and changed:
        return f"{response.status_code} half-write {changed}"
    return None


def test_every_api_write_refuses_bad_input_without_a_500_or_a_half_write(api, ids, settings):
    from clientpanel.api.urls import api as ninja_api

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    findings, sent = [], 0
    for path, method, example in operations(schema):
        short = path.removeprefix("/api/v1")
        names = re.findall(r"{(\w+)}", short)
        real = short
        for name in names:
            real = real.replace("{" + name + "}", str(ids.get(name, UNKNOWN_UUID)))
        cases = []
        for name in names:  # each path id invalid, then unknown
            for bad in probe.values(["not-a-uuid", UNKNOWN_UUID, "%00", "0", str(10**30)], 3):
                cases.append((f"{name}={bad}", short.replace("{" + name + "}", bad), example))
        if example is not None:
            for raw in probe.values(BAD_BODIES, 4):
                cases.append((f"body={raw}", real, raw))
            for key in example:
                for label, raw in probe.values(BAD_JSON_VALUES, 14):
                    body = json.dumps({k: v for k, v in example.items() if k != key})
                    body = body[:-1] + (", " if len(body) > 2 else "") + f'"{key}": {raw}' + "}"
                    cases.append((f"{key}={label}", real, body))
        for label, url, body in cases:
            for name in names:
                url = url.replace("{" + name + "}", str(ids.get(name, UNKNOWN_UUID)))
            sent += 1
            raw = body if isinstance(body, str) or body is None else json.dumps(body)
            problem = send(api, method, url, raw)
            if problem:
                findings.append(f"{method.upper()} {path} {label}: {problem}")
    assert sent > 300
    assert not findings, "\n".join(findings)
