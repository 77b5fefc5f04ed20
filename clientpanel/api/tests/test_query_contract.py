"""A GET operation refuses a query parameter it does not declare (a 422 naming it), so a filter
the API does not have never quietly answers everything; the filters it has are honoured."""

from decimal import Decimal

import pytest

from clientpanel.api.urls import api as ninja_api
from clientpanel.client_services.models import Service
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db


def refused(response, *names):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and set(names) <= set(error["fields"]), error
    return error


def test_unknown_query_parameters_are_refused_naming_them(api, make_client):
    client = make_client()
    error = refused(api.get("/clients", per_page=1, limit=1), "per_page", "limit")
    assert error["fields"]["per_page"] == ["Unknown field."]
    refused(api.get(f"/clients/{client.pk}", expand="billing"), "expand")
    refused(api.get(f"/clients/{client.pk}/addresses", colour="red"), "colour")
    # What a list declares is still read: page, page_size, cursor, its filters.
    assert api.get("/clients", page=1, page_size=1, status="active").status_code == 200
    assert api.get("/clients", page_size=1, cursor="").status_code in (200, 422)
    # …and the cache-buster HTTP libraries add to a GET (jQuery's cache: false).
    assert api.get("/clients", _="1732500000000").status_code == 200


def test_every_get_operation_refuses_an_undeclared_parameter(api, make_client):
    """The rule is the API's, not an endpoint's: each GET route of the document answers 422."""
    client = make_client()
    schema = api.client.get("/api/v1/openapi.json").json()
    gets = [path for path, item in schema["paths"].items() if "get" in item]
    assert len(gets) > 10
    for path in gets:
        url = path.replace("/api/v1", "", 1).replace("{client_id}", str(client.pk))
        if "{" in url:
            continue  # an unknown id answers 404 first
        refused(api.get(url, surely_not_a_parameter="1"), "surely_not_a_parameter")


def test_a_clients_transactions_filter_by_type_in_either_case(api, make_client):
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("50"), description="Top-up")
    entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-5"), description="Fee")
    url = f"/clients/{client.pk}/transactions"
    assert api.get(url).json()["count"] == 2
    for asked in ("CHARGE", "charge"):
        listed = api.get(url, type=asked).json()
        assert [row["type"] for row in listed["results"]] == ["CHARGE"]
    assert api.get(url, type="PAYMENT").json()["count"] == 0
    refused(api.get(url, type="BONUS"), "type")


def test_a_clients_services_filter_by_status(api, make_client):
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    product = api.post("/products", {"key": "small", "name": "Small", "module": "manual", "prices": [
        {"currency": "USD", "period": "MONTHLY", "amount": "10.00"}]}).json()
    for _ in range(2):
        assert api.post(f"/clients/{client.pk}/services",
                        {"product": product["id"], "price": product["prices"][0]["id"]}).status_code == 201
    Service.objects.filter(pk=Service.objects.order_by("order_date", "id").first().pk).update(status="TERMINATED")
    url = f"/clients/{client.pk}/services"
    assert api.get(url).json()["count"] == 2
    for asked in ("TERMINATED", "terminated"):
        assert [row["status"] for row in api.get(url, status=asked).json()["results"]] == ["TERMINATED"]
    assert "TERMINATED" not in {row["status"] for row in api.get(url, status="PENDING").json()["results"]}
    refused(api.get(url, status="GONE"), "status")


def test_a_clients_invoices_sort_and_overdue_are_read(api, make_client):
    client = make_client(currency="USD")
    for amount in ("10.00", "20.00", "30.00"):
        assert api.post(f"/clients/{client.pk}/invoices/add-funds", {"net_amount": amount}).status_code == 201
    url = f"/clients/{client.pk}/invoices"
    ascending = [row["number"] for row in api.get(url, sort="number").json()["results"]]
    descending = [row["number"] for row in api.get(url, sort="-number").json()["results"]]
    assert len(set(ascending)) == 3 and descending == ascending[::-1] != ascending
    assert api.get(url, overdue="true").json()["count"] == 0  # none is due yet
    refused(api.get(url, sort="colour"), "sort")


def test_operations_are_bound_once_however_often_the_urls_are_built():
    assert ninja_api.urls
    assert ninja_api.urls
    operation = next(op for router in ninja_api._get_bound_routers() for view in router.path_operations.values()
                     for op in view.operations if op.path == "/clients" and "GET" in op.methods)
    assert operation._get_values.__name__ == "checked_values"
    wrapped = [cell.cell_contents for cell in operation._get_values.__closure__ if callable(cell.cell_contents)]
    assert [getattr(inner, "__name__", "") for inner in wrapped] == ["_get_values"]
