"""Bad input to the API (issue 9): always a 4xx in the one error shape, never a 500, nothing written.

Each test here was a 500 (or an HTML / plain-text answer) before the rule it names.
"""

import base64
import json

import pytest

from clientpanel.api.tests.test_clients_api import assert_error, rows
from clientpanel.catalog.models import Product
from clientpanel.clients.models import Address
from clientpanel.core.errors import ValidationFailed
from clientpanel.ledger.models import LedgerEntry
from clientpanel.tax.models import HomeCompany
from conftest import client_data

pytestmark = pytest.mark.django_db


# --- every answer under /api/v1/ is the error shape ---------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_unknown_api_route_is_a_json_404(api, method):
    response = getattr(api.client, method)("/api/v1/no-such-thing/42", headers=api.headers)
    assert_error(response, 404, "not_found")


def test_unknown_api_route_is_a_json_404_without_a_token_too(client):
    assert_error(client.get("/api/v1/clients/"), 404, "not_found")


def test_wrong_method_is_a_json_405_naming_the_allowed_ones(api):
    response = api.client.put("/api/v1/clients", headers=api.headers)
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def test_body_over_the_limit_is_a_json_413_and_writes_nothing(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post("/clients", {"firstname": "x" * 20_000})
    assert_error(response, 413, "body_too_large")
    assert rows() == (0, 0, 0)


def test_a_fault_of_ours_is_a_logged_json_500(api_token, monkeypatch, caplog):
    from django.test import Client

    from clientpanel.clients import selectors

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "client_directory", broken)
    response = Client(raise_request_exception=False).get("/api/v1/clients",
                                                         headers={"Authorization": f"Bearer {api_token}"})
    assert_error(response, 500, "server_error")
    assert "database on fire" not in response.content.decode()
    assert any(record.exc_info and "database on fire" in str(record.exc_info[1]) for record in caplog.records)


# --- texts: no control characters but line breaks and tabs, no lone surrogates -----------------

BAD_TEXTS = ["Ru\x00slan", "bell\x07", "esc\x1b[31m", "\ud800", "lone \udfff surrogate"]


def post(api, path, body, headers=None):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=dict(api.headers) | (headers or {}))


@pytest.mark.parametrize("text", BAD_TEXTS)
@pytest.mark.parametrize("field", ["firstname", "company_name", "admin_notes"])
def test_control_character_or_lone_surrogate_in_a_client_text_is_a_422_and_writes_nothing(api, text, field):
    assert_error(post(api, "/clients", client_data(**{field: text})), 422, "validation_error", field)
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_control_character_in_an_address_text_is_a_422(api, make_client, text):
    client = make_client()
    before = Address.objects.count()
    response = post(api, f"/clients/{client.pk}/addresses", {"type": "SHIPPING", "country": "PL", "notes": text})
    assert_error(response, 422, "validation_error", "notes")
    assert Address.objects.count() == before


def test_line_breaks_and_tabs_are_fine_in_texts(api):
    response = post(api, "/clients", client_data(admin_notes="Line one\r\nLine two\twith a tab"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("field", ["firstname", "lastname", "company_name", "id_number"])
@pytest.mark.parametrize("text", ["Anna\nNowak", "Anna\r\nNowak", "Anna\tNowak"])
def test_a_line_break_or_tab_in_a_name_is_a_422_naming_the_field(api, field, text):
    # One-line values: a line break in a name broke the PDFs' and exports' layout and a To header.
    response = post(api, "/clients", client_data(**{field: f"x {text} y"}))
    assert_error(response, 422, "validation_error", field)
    assert "must be one line" in response.json()["error"]["fields"][field][0].lower()
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("field", ["contact_name", "address1", "address2", "city", "postcode", "name"])
def test_a_line_break_in_an_address_line_is_a_422_and_its_notes_may_run_over_lines(api, make_client, field):
    client = make_client()
    before = Address.objects.count()
    address = {"type": "SHIPPING", "country": "PL", "address1": "Main 1", "city": "Warszawa", "postcode": "00-001"}
    response = post(api, f"/clients/{client.pk}/addresses", address | {field: "ul. Długa\n8"})
    assert_error(response, 422, "validation_error", field)
    assert Address.objects.count() == before
    noted = post(api, f"/clients/{client.pk}/addresses", address | {"notes": "Gate code 1234\nRing twice"})
    assert noted.status_code == 201, noted.content


@pytest.mark.parametrize("path", ["/clients", "/users", "/clients/{id}/transactions", "/clients/{id}/invoices"])
@pytest.mark.parametrize("term", ["Ru\x00", "\x1b"])
def test_control_character_in_a_search_is_a_422(api, make_client, path, term):
    client = make_client()
    assert_error(api.get(path.format(id=client.pk), search=term), 422, "validation_error", "search")


@pytest.mark.parametrize("transaction_id", ["wire\x00-1", "wire\n1", "\ud800"])
def test_control_character_in_a_transaction_id_is_a_422_and_posts_nothing(api, make_client, transaction_id):
    client = make_client()
    body = {"amount": "10", "transaction_id": transaction_id, "description": "Top-up"}
    assert_error(post(api, f"/clients/{client.pk}/transactions", body), 422, "validation_error", "transaction_id")
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("description", ["Top\x00-up", "\udfff"])
def test_control_character_in_a_transaction_description_is_a_422(api, make_client, description):
    client = make_client()
    body = {"amount": "10", "description": description}
    assert_error(post(api, f"/clients/{client.pk}/transactions", body), 422, "validation_error", "description")
    assert LedgerEntry.objects.count() == 0


def test_control_character_in_a_payment_or_credit_note_transaction_id_is_a_422(api, make_client):
    client = make_client()
    proforma = post(api, f"/clients/{client.pk}/invoices/add-funds", {"net_amount": "10.00"}).json()
    paid = post(api, f"/invoices/{proforma['id']}/payments", {"amount": proforma["total"], "transaction_id": "t\x00"})
    assert_error(paid, 422, "validation_error", "transaction_id")
    paid = post(api, f"/invoices/{proforma['id']}/payments", {"amount": proforma["total"], "method": "wire\x00"})
    assert_error(paid, 422, "validation_error", "method")
    assert LedgerEntry.objects.count() == 0
    assert_error(post(api, f"/invoices/{proforma['id']}/credit-notes", {"net_amount": "1", "transaction_id": "\x00"}),
                 422, "validation_error", "transaction_id")


@pytest.mark.parametrize("key", ["key\x00one", "key\x7f", "k\x1b"])
def test_control_character_in_the_idempotency_key_is_a_422_and_posts_nothing(api, make_client, key):
    client = make_client()
    body = {"amount": "10", "description": "Top-up"}
    response = post(api, f"/clients/{client.pk}/transactions", body, headers={"Idempotency-Key": key})
    assert_error(response, 422, "validation_error", "Idempotency-Key")
    assert LedgerEntry.objects.count() == 0


def test_control_character_in_product_texts_and_module_settings_is_a_422(api):
    product = {"key": "vps-small", "name": "VPS", "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "5"}]}
    assert_error(post(api, "/products", product | {"description": "Fast\x00"}), 422, "validation_error",
                 "description")
    assert_error(post(api, "/products", product | {"module_settings": {"node": {"name": "pve\x00"}}}), 422,
                 "validation_error", "module_settings")
    assert_error(post(api, "/products", product | {"module_settings": {"ke\x00y": 1}}), 422, "validation_error",
                 "module_settings")
    assert Product.objects.count() == 0


# --- a non-string where a string is expected ----------------------------------------------------

@pytest.mark.parametrize("overrides, field", [
    ({"email": 5}, "email"), ({"email": ["a@example.com"]}, "email"), ({"email": {"a": 1}}, "email"),
    ({"password": 12345678901}, "password"), ({"password": ["long-enough-password"]}, "password"),
    ({"firstname": True}, "firstname"), ({"tax_exempt": "maybe"}, "tax_exempt"),
    ({"payment_terms_days": 10**20}, "payment_terms_days"), ({"group": 10**30}, "group"),
])
def test_non_string_or_out_of_range_value_in_a_client_is_a_422_and_writes_nothing(api, overrides, field):
    assert_error(post(api, "/clients", client_data(**overrides)), 422, "validation_error", field)
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("body, field", [
    ({"email": 5, "firstname": "A", "lastname": "B"}, "email"),
    ({"email": "new@example.com", "firstname": "A", "lastname": "B", "password": 123}, "password"),
    ({"email": "new@example.com", "firstname": "A", "lastname": "B", "permissions": [1, {"a": 1}]}, "permissions.0"),
    ({"email": "new@example.com", "firstname": "A", "lastname": "B", "permissions": "invoices"}, "permissions"),
    ({"email": "new@example.com", "firstname": "A", "lastname": "B", "permissions": [["x"]]}, "permissions.0"),
])
def test_non_string_email_password_or_permissions_of_a_linked_user_is_a_422(api, make_client, body, field):
    client = make_client()
    before = rows()
    assert_error(post(api, f"/clients/{client.pk}/users", body), 422, "validation_error", field)
    assert rows() == before


def test_non_string_permissions_in_a_patch_and_non_string_user_fields_are_422(api, make_client):
    client = make_client()
    owner = client.owner
    response = api.client.patch(f"/api/v1/clients/{client.pk}/users/{owner.pk}", data=json.dumps(
        {"permissions": [{"key": "invoices"}]}), content_type="application/json", headers=api.headers)
    assert_error(response, 422, "validation_error", "permissions.0")
    before = rows()
    assert_error(post(api, "/users", {"email": 123, "password": 123}), 422, "validation_error", "email")
    assert rows() == before


def test_services_refuse_non_string_permissions_themselves(make_client):
    from clientpanel.clients.services import client_user_link

    client = make_client()
    with pytest.raises(ValidationFailed) as refused:
        client_user_link(actor=None, client_id=client.pk, data={
            "email": "new@example.com", "firstname": "A", "lastname": "B", "permissions": [{"a": 1}],
            "password": 12345})
    assert {"permissions", "password"} <= set(refused.value.fields)


# --- pages and cursors --------------------------------------------------------------------------

LISTS = ["/clients", "/users", "/clients/{id}/transactions", "/clients/{id}/invoices", "/clients/{id}/services"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("params, field", [
    ({"page": 10**18}, "page"), ({"page": 10**40}, "page"), ({"page": -1}, "page"), ({"page": 0}, "page"),
    ({"page_size": 10**18}, "page_size"), ({"page_size": -5}, "page_size"),
])
def test_huge_or_negative_page_numbers_are_a_422(api, make_client, path, params, field):
    client = make_client()
    assert_error(api.get(path.format(id=client.pk), **params), 422, "validation_error", field)


def _unsigned_cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    _unsigned_cursor(["next", ["not-a-date", "not-a-uuid"]]),
    _unsigned_cursor(["next", [{"$gt": 1}, [1, 2]]]),
    _unsigned_cursor(["prev", [10**30, None]]),
    "bm90IGpzb24", "!!!", "a.b", "x" * 1000,
])
def test_crafted_cursor_is_a_422(api, make_client, cursor):
    make_client()
    make_client()
    assert_error(api.get("/clients", cursor=cursor, page_size=1), 422, "validation_error", "cursor")


def test_cursor_of_another_sort_is_a_422_and_a_real_one_still_pages(api, make_client):
    for _ in range(3):
        make_client()
    first = api.get("/clients", sort="balance", page_size=1).json()
    assert api.get("/clients", sort="balance", page_size=1, cursor=first["next_cursor"]).status_code == 200
    edited = first["next_cursor"][:-2] + ("AA" if not first["next_cursor"].endswith("AA") else "BB")
    assert_error(api.get("/clients", sort="balance", page_size=1, cursor=edited), 422, "validation_error", "cursor")
    assert_error(api.get("/clients", sort="created_at", page_size=1, cursor=first["next_cursor"]), 422,
                 "validation_error", "cursor")


# --- numbering patterns -------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ['INV"{NUMBER}', "INV'{NUMBER}", "INV/{NUMBER}\nX-Evil: 1", "INV\r{NUMBER}",
                                     "INV\\{NUMBER}", "<b>{NUMBER}</b>", "INV\x00{NUMBER}"])
@pytest.mark.parametrize("field", ["proforma_pattern", "invoice_pattern", "credit_note_pattern"])
def test_numbering_pattern_with_quotes_or_line_breaks_is_a_field_error(api, pattern, field):
    before = HomeCompany.objects.count()
    response = post(api, "/home-companies", {"name": "Acme", "country": "PL", field: pattern})
    assert_error(response, 422, "validation_error", field)
    assert HomeCompany.objects.count() == before


def test_numbering_pattern_is_checked_by_the_service_too():
    from clientpanel.tax.services import home_company_save

    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, data={"name": "Acme", "country": "PL", "invoice_pattern": 'FV"{NUMBER}',
                                            "bank_details": "IBAN\x00"})
    assert {"invoice_pattern", "bank_details"} <= set(refused.value.fields)


# --- the OpenAPI document -----------------------------------------------------------------------

def _typed(schema: dict) -> bool:
    if "$ref" in schema or "type" in schema:
        return True
    return any(key in schema for key in ("anyOf", "oneOf", "allOf")) and all(
        _typed(part) for key in ("anyOf", "oneOf", "allOf") for part in schema.get(key, []))


def test_openapi_declares_typed_inputs_answers_and_errors_for_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    operations = [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 37
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        responses = op["responses"]
        successes = {code: r for code, r in responses.items() if code.startswith("2")}
        assert successes, where
        for code, response in successes.items():
            assert code == "204" or response.get("content"), f"{where} {code} declares no schema"
        assert {"401", "403"} <= set(responses), where
        if "{" in path:
            assert "404" in responses, where
        if op.get("parameters") or "requestBody" in op:
            assert "422" in responses, where
        if "requestBody" in op:
            assert {"400", "413"} <= set(responses), where
        for code, response in responses.items():
            if code[0] in "45":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for parameter in op.get("parameters", []):
            assert _typed(parameter["schema"]), f"{where} parameter {parameter['name']} is untyped"
    for name, component in components.items():
        for field, prop in component.get("properties", {}).items():
            assert _typed(prop), f"{name}.{field} is untyped"
    assert components["ClientOut"]["properties"]["balance"]["type"] == "string"


@pytest.mark.parametrize("value", ["yes", "true", 1, 0])
def test_a_flag_that_is_not_a_json_boolean_is_a_422_and_writes_nothing(api, make_client, value):
    # Pydantic's lax bool took "yes" and 1 as true: {"allow_over_limit": "yes"} overrode the credit limit.
    client = make_client()
    refusals = [
        api.post(f"/clients/{client.pk}/transactions",
                 {"amount": "-5.00", "description": "x", "allow_over_limit": value}),
        api.post(f"/clients/{client.pk}/invoices", {"items": [{"description": "x", "unit_price": "1.00",
                                                               "top_up": value}]}),
        api.patch(f"/clients/{client.pk}", {"tax_exempt": value}),
        api.post("/products", {"key": "k", "name": "N", "module": "manual", "hidden": value}),
    ]
    for response, field in zip(refusals, ["allow_over_limit", "items.0.top_up", "tax_exempt", "hidden"], strict=True):
        assert_error(response, 422, "validation_error", field)
    client.refresh_from_db()
    assert LedgerEntry.objects.count() == 0 and client.tax_exempt is None and not Product.objects.exists()


def test_the_api_own_error_messages_follow_accept_language(api):
    # The messages of the API's own error shape are translated, as the domain's are.
    headers = {**api.headers, "Accept-Language": "pl"}
    unknown_route = api.client.get("/api/v1/no-such-thing", headers=headers)
    assert unknown_route.json()["error"]["message"] == "Nie ma takiej ścieżki API."
    refused = api.client.put("/api/v1/clients", headers=headers)
    assert refused.json()["error"]["message"].startswith("Metoda PUT nie jest tu dozwolona; użyj ")
    extra = api.client.post("/api/v1/clients", data={**client_data(), "surprise": 1},
                            content_type="application/json", headers=headers)
    assert extra.status_code == 422
    assert extra.json()["error"]["message"] == "Niektóre pola są niepoprawne: surprise."
    assert extra.json()["error"]["fields"]["surprise"] == ["Nieznane pole."]
    number = api.client.post(f"/api/v1/clients/{api.post('/clients', client_data()).json()['id']}/invoices/add-funds",
                             data={"net_amount": 12.5}, content_type="application/json", headers=headers)
    assert number.status_code == 422
    assert number.json()["error"]["fields"]["net_amount"] == [
        'Wyślij kwotę jako tekst, np. "12.50"; liczby JSON są odrzucane.']
