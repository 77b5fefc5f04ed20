"""The request examples the OpenAPI document shows work when an integrator copies them as they are."""

import pytest

pytestmark = pytest.mark.django_db


def example_of(api, path: str, method: str = "post") -> dict:
    schema = api.get("/openapi.json").json()
    body = schema["paths"][f"/api/v1{path}"][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][body["$ref"].split("/")[-1]]["examples"][0]


@pytest.mark.parametrize("path", ["/clients/{client_id}/addresses", "/clients/{client_id}/users",
                                  "/clients/{client_id}/invoices", "/clients/{client_id}/invoices/add-funds"])
def test_a_clients_create_example_copied_as_it_is_creates(api, make_client, path):
    client = make_client()
    created = api.post(path.format(client_id=client.pk), example_of(api, path))
    assert created.status_code == 201, created.content


@pytest.mark.parametrize("path", ["/clients", "/users", "/groups", "/products", "/home-companies"])
def test_a_create_example_copied_as_it_is_creates(api, path):
    created = api.post(path, example_of(api, path))
    assert created.status_code == 201, created.content
