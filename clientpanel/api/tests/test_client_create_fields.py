"""POST /api/v1/clients stores every field its schema offers, as PATCH would: tax_exempt,
payment_terms_days and reminders_enabled were read by the schema and dropped by client_create (a
201 with them null; the next proforma charged 23% VAT and was due in 7 days, not 30)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clientpanel.clients.events import WelcomeEmailRequested
from clientpanel.clients.models import Client
from clientpanel.clients.schemas import ClientCreateIn
from clientpanel.clients.selectors import effective_setting
from clientpanel.clients.services import group_save
from clientpanel.core.events import subscribe, unsubscribe
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db

BILLING = {"name": "Head office", "contact_name": "Anna Nowak", "phone": "+48 22 111 22 33",
           "email": "billing@example.com", "address1": "Main Street 1", "address2": "Floor 2", "city": "Warszawa",
           "postcode": "02-454", "country": "PL", "region": "PL-14", "notes": "Ring twice."}


def every_field(group_id: int) -> dict:
    """A value for every field of ClientCreateIn, none of them its default."""
    return {
        "email": "owner@example.com", "password": "a-long-passphrase-42", "firstname": "Anna", "lastname": "Nowak",
        "company_name": "Nowak Hosting", "tax_id": "PL5260250995", "phone": "+48 22 123 45 67", "language": "pl",
        "currency": "PLN", "status": "ACTIVE", "credit_limit": "250.50", "id_number": "ERP-42",
        "admin_notes": "Pays by wire.\nVIP", "public_notes": "Thank you.", "group": group_id,
        "payment_terms_days": 30, "tax_exempt": True, "reminders_enabled": False, "einvoice_format": "ubl",
        "peppol_id": "0088:5790000436057", "billing_address": BILLING, "send_welcome_email": True,
    }


@pytest.fixture
def group():
    return group_save(actor=None, data={"name": "Wholesale"})


@pytest.fixture
def vat_23_in_poland():
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL", "payment_terms_days": 7})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return company


def post(api, path, body):
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=api.headers)


def test_the_sample_covers_every_field_the_schema_offers(group):
    # A field added to ClientCreateIn must be added here too, and so checked below.
    assert set(every_field(group.pk)) == set(ClientCreateIn.model_fields)


def test_every_field_sent_on_create_is_stored(api, group):
    welcomed: list = []
    subscribe(WelcomeEmailRequested, welcomed.extend)
    try:
        response = post(api, "/clients", every_field(group.pk))
    finally:
        unsubscribe(WelcomeEmailRequested, welcomed.extend)
    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.select_related("owner").get(pk=body["id"])
    stored = {
        "email": client.owner.email, "firstname": client.firstname, "lastname": client.lastname,
        "company_name": client.company_name, "tax_id": client.tax_id, "phone": client.phone,
        "language": client.language, "currency": client.currency, "status": client.status,
        "credit_limit": f"{client.credit_limit:.2f}", "id_number": client.id_number,
        "admin_notes": client.admin_notes, "public_notes": client.public_notes, "group": client.group_id,
        "payment_terms_days": client.payment_terms_days, "tax_exempt": client.tax_exempt,
        "reminders_enabled": client.reminders_enabled, "einvoice_format": client.einvoice_format,
        "peppol_id": client.peppol_id,
    }
    sent = every_field(group.pk)
    expected = {key: sent[key] for key in stored} | {"phone": "+48221234567"}
    assert stored == expected
    assert client.owner.check_password(sent["password"])
    billing = body["billing_address"]
    assert {key: billing[key] for key in BILLING} == BILLING | {"phone": "+48221112233"}
    assert [(event.client_id, event.user_id) for event in welcomed] == [(client.pk, client.owner_id)]
    # The answer shows them as stored (it showed null).
    assert (body["payment_terms_days"], body["tax_exempt"], body["reminders_enabled"]) == (30, True, False)


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("payment_terms_days", 366, "payment_terms_days"), ("tax_exempt", "yes", "tax_exempt"),
    ("reminders_enabled", 1, "reminders_enabled"),
])
def test_bad_settings_on_create_are_refused_and_nothing_is_written(api, field, value, problem):
    response = post(api, "/clients", client_data(**{field: value}))
    assert response.status_code == 422, response.content
    assert problem in response.json()["error"]["fields"]
    assert not Client.objects.exists()


def test_a_tax_exempt_client_created_so_gets_no_vat_on_its_next_proforma(api, vat_23_in_poland):
    exempt = post(api, "/clients", client_data(tax_exempt=True)).json()
    taxed = post(api, "/clients", client_data()).json()
    assert exempt["tax_exempt"] is True and taxed["tax_exempt"] is None
    exempt_proforma = post(api, f"/clients/{exempt['id']}/invoices/add-funds", {"net_amount": "100.00"}).json()
    taxed_proforma = post(api, f"/clients/{taxed['id']}/invoices/add-funds", {"net_amount": "100.00"}).json()
    assert (exempt_proforma["tax"], exempt_proforma["total"]) == ("0.0000", "100.0000")
    assert (taxed_proforma["tax"], taxed_proforma["total"]) == ("23.0000", "123.0000")


@pytest.mark.parametrize("days", [0, 30, 365])
def test_payment_terms_given_on_create_set_the_next_proformas_due_date(api, vat_23_in_poland, days):
    created = post(api, "/clients", client_data(payment_terms_days=days)).json()
    proforma = post(api, f"/clients/{created['id']}/invoices/add-funds", {"net_amount": "10.00"}).json()
    issued, due = (dt.datetime.fromisoformat(proforma[key]) for key in ("issue_date", "due_date"))
    assert due - issued == dt.timedelta(days=days)


def test_reminders_switched_off_on_create_are_off(api):
    created = post(api, "/clients", client_data(reminders_enabled=False)).json()
    client = Client.objects.get(pk=created["id"])
    assert effective_setting(client, "reminders_enabled")[0] is False
