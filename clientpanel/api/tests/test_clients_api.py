"""The /api/v1/ client and address endpoints, including every kind of bad input."""

import pytest

from clientpanel.accounts.models import User
from clientpanel.accounts.services import api_token_create
from clientpanel.clients.models import Address, Client
from conftest import Api, client_data

pytestmark = pytest.mark.django_db


def assert_error(response, status, code, field=None, contains=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if field:
        assert field in body["error"]["fields"], body
        if contains:
            assert contains in " ".join(body["error"]["fields"][field])


def rows():
    return Client.objects.count(), Address.objects.count(), User.objects.filter(is_staff=False).count()


def test_openapi_and_docs_are_public(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/clients" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer cp_wrong", "Basic abc"])
def test_missing_or_bad_token_is_401(client, db, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/clients", headers=headers)
    assert_error(response, 401, "unauthorized")
    # RFC 9110: a 401 names the scheme to authenticate with (HTTP clients look for it).
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_of_deactivated_staff_is_refused(client, staff, api_token):
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert Api(client, api_token).get("/clients").status_code == 401


def test_read_only_token_cannot_write(client, staff):
    _, secret = api_token_create(user=staff, scopes=["clients:read"])
    api = Api(client, secret)
    assert api.get("/clients").status_code == 200
    assert_error(api.post("/clients", client_data()), 403, "missing_scope")
    assert rows() == (0, 0, 0)


def test_create_and_read_back_a_client(api):
    response = api.post("/clients", {
        "email": "Puqcloud@Example.com", "password": "a-long-passphrase-42", "firstname": "Ruslan",
        "lastname": "Polovyi", "company_name": "My company name", "tax_id": "5260250995",
        "phone": "+48 22 123 45 67", "language": "pl", "currency": "PLN", "status": "ACTIVE",
        "credit_limit": "250.5",
        "billing_address": {"address1": "My home 1", "address2": "loc 2", "city": "Warszawa", "postcode": "02-454",
                            "country": "PL", "region": "Mazowieckie"},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "0001"
    assert body["display_name"] == "My company name"
    assert (body["balance"], body["credit_limit"]) == ("0.0000", "250.5000")
    assert body["tax_id"] == "PL5260250995"
    assert body["owner"]["email"] == "puqcloud@example.com"
    assert body["billing_address"]["region"] == "PL-14"
    assert body["created_at"].endswith("+00:00")
    again = api.get(f"/clients/{body['id']}")
    assert again.status_code == 200
    assert again.json() == body


def test_list_searches_filters_sorts_and_pages(api, make_client):
    make_client(company_name="Zenith Systems", billing_address={"country": "IE", "city": "Dublin", "region": ""})
    for i in range(4):
        make_client(company_name=f"Bridge {i}", status="ACTIVE")
    body = api.get("/clients", search="zenith").json()
    assert body["count"] == 1 and body["results"][0]["display_name"] == "Zenith Systems"
    assert api.get("/clients", country="IE").json()["count"] == 1
    assert api.get("/clients", status="ACTIVE").json()["count"] == 4
    names = [c["display_name"] for c in api.get("/clients", sort="-display_name").json()["results"]]
    assert names == sorted(names, reverse=True)
    page2 = api.get("/clients", sort="display_name", page=2, page_size=2).json()
    assert [c["display_name"] for c in page2["results"]] == ["Bridge 2", "Bridge 3"]
    assert page2["count"] == 5
    first = api.get("/clients", sort="display_name", page_size=2).json()
    follow = api.get("/clients", sort="display_name", page_size=2, cursor=first["next_cursor"]).json()
    assert [c["display_name"] for c in follow["results"]] == ["Bridge 2", "Bridge 3"]


def test_the_list_is_exactly_what_its_schema_says_without_being_validated_twice(api, make_client):
    """The list is rendered without ninja's second validation: each row must already be what
    ClientOut makes of it, field by field, type by type."""
    from clientpanel.clients.schemas import ClientListOut

    make_client(company_name="Zenith Systems", tax_id="PL5260250995", phone="+48 22 123 45 67")
    make_client(firstname="Ewa", lastname="Łąka", billing_address={"country": "DE", "city": "Köln", "region": ""})
    response = api.get("/clients", sort="display_name")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert len(body["results"]) == 2 and body["results"][0]["billing_address"]["country_name"]
    assert ClientListOut.model_validate(body).model_dump() == body


@pytest.mark.parametrize("params, field", [
    ({"page_size": 501}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page"),
    ({"sort": "password"}, "sort"), ({"status": "SLEEPING"}, "status"), ({"page": "x"}, "page"),
])
def test_list_bad_parameters_are_field_errors(api, params, field):
    assert_error(api.get("/clients", **params), 422, "validation_error", field)


BAD_CREATES = [
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"tax_id": "PL5260250996"}, "tax_id", "check digit"),
    ({"billing_address": {"country": "XX"}}, "billing_address.country", "Unknown country"),
    ({"billing_address": {"country": "PL", "region": "Texas"}}, "billing_address.region", "not a state or region"),
    ({"credit_limit": "-5"}, "credit_limit", "negative"),
    ({"credit_limit": "1.001"}, "credit_limit", "USD amounts have at most 2 decimal places"),
    ({"credit_limit": 0.1}, "credit_limit", "JSON numbers are refused"),
    ({"credit_limit": 100}, "credit_limit", "JSON numbers are refused"),
    ({"company_name": "x" * 300}, "company_name", "at most 255"),
    ({"firstname": ""}, "firstname", "required"),
    ({"currency": "JPY"}, "currency", "not enabled"),
    ({"phone": "123"}, "phone", "country code"),
    ({"status": "SLEEPING"}, "status", "Unknown status"),
    ({"password": "123"}, "password", "too short"),
    ({"unknown_field": 1}, "unknown_field", "Unknown field"),
]


@pytest.mark.parametrize("overrides, field, contains", BAD_CREATES)
def test_bad_create_is_a_precise_field_error_and_writes_nothing(api, overrides, field, contains):
    response = api.post("/clients", client_data(**overrides))
    assert_error(response, 422, "validation_error", field, contains)
    assert rows() == (0, 0, 0)


def test_duplicate_owner_email_is_refused(api, make_client):
    make_client(email="taken@example.com")
    before = rows()
    assert_error(api.post("/clients", client_data(email="TAKEN@example.com")), 422, "validation_error", "email",
                 "already exists")
    assert rows() == before


def test_missing_billing_address_and_non_json_body(api):
    data = client_data()
    del data["billing_address"]
    assert_error(api.post("/clients", data), 422, "validation_error", "billing_address")
    assert_error(api.post("/clients", "{not json"), 400, "invalid_body")
    assert_error(api.post("/clients", "[1, 2]"), 400, "invalid_body")
    assert rows() == (0, 0, 0)


def test_unknown_ids_are_404(api):
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(api.get(f"/clients/{missing}"), 404, "not_found")
    assert_error(api.patch(f"/clients/{missing}", {"firstname": "X"}), 404, "not_found")
    assert_error(api.get(f"/clients/{missing}/addresses"), 404, "not_found")
    assert_error(api.get("/clients/not-a-uuid"), 404, "not_found")


def test_patch_changes_given_fields_only(api, make_client):
    client = make_client(company_name="Old")
    response = api.patch(f"/clients/{client.pk}", {"company_name": "New name", "credit_limit": "10"})
    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["credit_limit"], body["lastname"]) == ("New name", "10.0000", client.lastname)


def test_a_user_patch_naming_no_permissions_keeps_them(api, make_client):
    client = make_client()
    linked = api.post(f"/clients/{client.pk}/users", {"email": "helper@example.com", "firstname": "He",
                                                        "lastname": "Lper",
                                                        "permissions": ["manage-invoices", "view-documents"]})
    user_id = linked.json()["user"]["id"]
    response = api.patch(f"/clients/{client.pk}/users/{user_id}", {})
    assert response.status_code == 200, response.content
    assert response.json()["permissions"] == ["manage-invoices", "view-documents"]
    # null clears them, as null clears any optional field; so does [].
    assert api.patch(f"/clients/{client.pk}/users/{user_id}", {"permissions": None}).json()["permissions"] == []


def test_a_credit_limit_of_minus_zero_is_answered_as_zero_as_it_is_read_back(api, make_client):
    client = make_client()
    assert api.patch(f"/clients/{client.pk}", {"credit_limit": "-0.00"}).json()["credit_limit"] == "0.0000"
    assert api.get(f"/clients/{client.pk}").json()["credit_limit"] == "0.0000"


def test_bad_patch_writes_nothing(api, make_client):
    client = make_client(company_name="Old")
    response = api.patch(f"/clients/{client.pk}", {"company_name": "New", "tax_id": "PL5260250996"})
    assert_error(response, 422, "validation_error", "tax_id", "check digit")
    client.refresh_from_db()
    assert client.company_name == "Old"
    assert_error(api.patch(f"/clients/{client.pk}", {"balance": "100"}), 422, "validation_error", "balance")


def test_address_endpoints_follow_the_billing_rules(api, make_client):
    client = make_client()
    base = f"/clients/{client.pk}/addresses"
    listed = api.get(base).json()
    assert listed["count"] == 1 and listed["results"][0]["type"] == "BILLING"
    billing_id = listed["results"][0]["id"]

    created = api.post(base, {"type": "SHIPPING", "name": "Test1", "contact_name": "Test", "email": "test@example.com",
                              "address1": "Test Add", "city": "WAW", "postcode": "123456", "country": "PL",
                              "region": "Warmińsko-Mazurskie", "is_default": True})
    assert created.status_code == 201, created.content
    shipping_id = created.json()["id"]
    assert created.json()["region"] == "PL-28"

    assert_error(api.post(base, {"type": "BILLING", "country": "PL"}), 422, "validation_error", "type", "exactly one")
    assert_error(api.post(base, {"type": "SHIPPING", "country": "PL", "region": "Ontario"}), 422,
                 "validation_error", "region")
    assert_error(api.delete(f"{base}/{billing_id}"), 409, "billing_address_required")
    assert_error(api.patch(f"{base}/{billing_id}", {"type": "SHIPPING"}), 422, "validation_error", "type")

    patched = api.patch(f"{base}/{billing_id}", {"city": "Kraków", "region": "Małopolskie"})
    assert patched.status_code == 200 and patched.json()["city"] == "Kraków"
    assert api.get(f"/clients/{client.pk}").json()["billing_address"]["city"] == "Kraków"

    assert api.delete(f"{base}/{shipping_id}").status_code == 204
    assert_error(api.delete(f"{base}/{shipping_id}"), 404, "not_found")
    assert api.get(base).json()["count"] == 1


def test_address_of_another_client_is_not_found(api, make_client):
    mine, theirs = make_client(), make_client()
    their_billing = theirs.addresses.get()
    assert_error(api.patch(f"/clients/{mine.pk}/addresses/{their_billing.pk}", {"city": "X"}), 404, "not_found")
    their_billing.refresh_from_db()
    assert their_billing.city != "X"
