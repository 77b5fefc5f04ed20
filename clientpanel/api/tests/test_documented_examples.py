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


def parameters_of(api, path: str) -> dict[str, str]:
    operation = api.get("/openapi.json").json()["paths"][f"/api/v1{path}"]["get"]
    return {p["name"]: p.get("description") or "" for p in operation["parameters"] if p["in"] == "query"}


def test_the_list_filters_name_the_values_they_take(api, make_client):
    clients = parameters_of(api, "/clients")
    assert "FRAUD" in clients["status"] and "GB" in clients["country"] and "/groups" in clients["group"]
    assert all(name in clients["sort"] for name in ("number", "display_name", "balance", "-created_at", "id"))
    assert "next_cursor" in clients["cursor"]
    documents = parameters_of(api, "/clients/{client_id}/invoices")
    assert "CREDIT_NOTE" in documents["type"] and "PARTIALLY_REFUNDED" in documents["status"]
    # What a description names is what the filter takes.
    client = make_client()
    for value in clients["status"].removeprefix("One of ").split(", "):
        assert api.get("/clients", status=value).status_code == 200, value
    for value in clients["sort"].split(" (")[0].removeprefix("One of ").split(", "):
        assert api.get("/clients", sort=f"-{value}").status_code == 200, value
    for name in ("type", "status"):
        for value in documents[name].removeprefix("One of ").split(", "):
            assert api.get(f"/clients/{client.pk}/invoices", **{name: value}).status_code == 200, value


def test_a_filter_value_it_does_not_take_is_named_in_the_refusal(api, make_client):
    client = make_client()
    refused = api.get(f"/clients/{client.pk}/invoices", status="PAYED")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "Unknown status 'PAYED'."
    assert "PARTIALLY_REFUNDED" in refused.json()["error"]["fields"]["status"][0]


def test_the_e_invoice_files_format_parameter_is_described(api):
    described = parameters_of(api, "/invoices/{document_id}/xml")["format"]
    assert "/invoices/{document_id}/einvoice" in described and "404" in described
