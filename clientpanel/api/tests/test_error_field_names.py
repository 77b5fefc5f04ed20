"""An error names the request's own field: the path the caller sent ("items.0.quantity",
"net_amount", "on_existing"), never ninja's parameter names ("payload", "form.…", "file.file"), nor
the member of a union pydantic tried ("….str", "….int"), nor a field the caller never sent ("items"
for Add Funds). A field's value of the wrong type is a 422 at that field, not a 400 for the body."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from pydantic import BaseModel

from clientpanel.api.field_names import field_name, without_member_tags
from clientpanel.invoicing.models import Document
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed_client(make_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return make_client(tax_id="PL5260250995", company_name="My company name")


def post(api, path, body):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=api.headers)


def refused_fields(response, status=422) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    return response.json()["error"]["fields"]


# 850,000,000,000 is in range itself; with 23% VAT its total is not.
@pytest.mark.parametrize("net_amount", ["999999999999", "850000000000.00"])
def test_an_add_funds_total_out_of_range_is_refused_under_net_amount(api, taxed_client, net_amount):
    fields = refused_fields(post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": net_amount}))
    assert list(fields) == ["net_amount"], fields
    assert fields["net_amount"] == ["The total is out of range."]
    assert not Document.objects.exists()


@pytest.mark.parametrize("item", [None, 1, "item", [], True])
def test_an_item_that_is_not_an_object_is_a_422_at_its_index(api, taxed_client, item):
    good = {"description": "Hosting", "unit_price": "10.00"}
    response = post(api, f"/clients/{taxed_client.pk}/invoices", {"items": [good, item]})
    fields = refused_fields(response)
    assert response.json()["error"]["code"] == "validation_error"
    assert list(fields) == ["items.1"], fields


@pytest.mark.parametrize("quantity", [True, False, 1.5, [], {}, ["1"]])
def test_a_quantity_of_the_wrong_type_is_one_message_at_the_quantity(api, taxed_client, quantity):
    response = post(api, f"/clients/{taxed_client.pk}/invoices",
                    {"items": [{"description": "Hosting", "quantity": quantity, "unit_price": "10.00"}]})
    fields = refused_fields(response)
    assert list(fields) == ["items.0.quantity"], fields
    assert len(fields["items.0.quantity"]) == 1


def test_a_quantity_sent_as_an_integer_is_still_taken(api, taxed_client):
    response = post(api, f"/clients/{taxed_client.pk}/invoices",
                    {"items": [{"description": "Hosting", "quantity": 3, "unit_price": "10.00"}]})
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["quantity"] == "3"


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "a@example.com", "billing_address": "PL"}, "billing_address"),
    ({"email": "a@example.com", "billing_address": {"country": ["PL"]}}, "billing_address.country"),
    ({"email": "a@example.com", "tax_exempt": "yes"}, "tax_exempt"),
])
def test_a_client_fields_error_is_keyed_by_its_path_in_the_body(api, body, field):
    fields = refused_fields(post(api, "/clients", body))
    assert field in fields and not any(key.startswith(("payload", "body")) for key in fields), fields


def test_a_body_that_is_not_an_object_is_still_a_400(api, taxed_client):
    response = post(api, f"/clients/{taxed_client.pk}/invoices", [{"description": "A", "unit_price": "1"}])
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_body"


def test_a_query_parameter_error_is_keyed_by_its_name(api):
    fields = refused_fields(api.get("/clients", page="first"))
    assert list(fields) == ["page"], fields


class _Line(BaseModel):
    amount: Annotated[str | int | None, "money"] = None
    notes: list[str | int] = []


class _Body(BaseModel):
    lines: list[_Line]
    tags: dict[str, int | str] = {}


@pytest.mark.parametrize(("loc", "kept", "cut"), [
    (("lines", 0, "amount", "str"), ("lines", 0, "amount"), True),
    (("lines", 0, "amount", "int"), ("lines", 0, "amount"), True),
    (("lines", 2, "notes", 1, "int"), ("lines", 2, "notes", 1), True),
    (("tags", "colour", "str"), ("tags", "colour"), True),
    (("lines", 0), ("lines", 0), False),
    (("lines", 0, "colour"), ("lines", 0, "colour"), False),  # an unknown field, as sent
    (("lines",), ("lines",), False),
])
def test_union_member_tags_are_cut_from_any_path(loc, kept, cut):
    assert without_member_tags(_Body, loc) == (kept, cut)


def test_the_field_name_drops_only_the_source():
    assert field_name(("body", "items", 0, "quantity")) == "items.0.quantity"
    assert field_name(("form", "on_existing")) == "on_existing"
    assert field_name(("body",)) == "body"


@pytest.mark.parametrize("description", ["\u200b", "\u2060\u200d", "\ufeff", "a\u202eb", "multi\nline"])
def test_an_item_description_that_shows_nothing_or_is_not_one_line_is_refused_at_it(api, taxed_client, description):
    response = post(api, f"/clients/{taxed_client.pk}/invoices",
                    {"items": [{"description": description, "unit_price": "10.00"}]})
    assert list(refused_fields(response)) == ["items.0.description"]
    assert not Document.objects.exists()
