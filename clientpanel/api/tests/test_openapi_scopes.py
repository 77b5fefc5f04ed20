"""Each operation's OpenAPI entry names the scope it needs, read from its auth (scoped(SCOPE))."""

import pytest

from clientpanel.accounts.scopes import ALL_SCOPES
from clientpanel.api.contract import operation_scope
from clientpanel.api.urls import api as ninja_api

pytestmark = pytest.mark.django_db


def operations():
    for router in ninja_api._get_bound_routers():
        for view in router.path_operations.values():
            yield from view.operations


def test_every_operation_names_its_scope_in_security_and_description(api):
    schema = api.get("/openapi.json").json()
    by_id = {entry["operationId"]: entry for item in schema["paths"].values() for entry in item.values()}
    checked = 0
    for operation in operations():
        scope = operation_scope(operation)
        assert scope in ALL_SCOPES, operation.path  # every operation asks one
        entry = by_id[operation.operation_id or ninja_api.get_openapi_operation_id(operation)]
        assert entry["security"] == [{"ApiTokenAuth": [scope]}], entry["operationId"]
        assert f"`{scope}`" in entry["description"]
        checked += 1
    assert checked > 40
    listing = schema["paths"]["/api/v1/clients"]
    assert listing["get"]["security"] == [{"ApiTokenAuth": ["clients:read"]}]
    assert listing["post"]["security"] == [{"ApiTokenAuth": ["clients:write"]}]
    assert "ApiTokenAuth" in schema["components"]["securitySchemes"]


def test_a_docstring_keeps_its_text_before_the_scope(api):
    schema = api.get("/openapi.json").json()
    entry = schema["paths"]["/api/v1/clients/{client_id}/transactions"]["post"]
    assert entry["description"].startswith("201 with the entry") and entry["description"].endswith(
        "Needs the `finance:write` scope.")
