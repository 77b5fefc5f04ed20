"""The staff panel's Add New Client form: every field it offers reaches the new client (the form
hands client_create all it cleaned), and the rule on text that shows nothing holds there too."""

from __future__ import annotations

import pytest

from clientpanel.backoffice.forms.clients import ClientCreateForm
from clientpanel.clients.models import Address, AddressType, Client

pytestmark = pytest.mark.django_db

FORM = {
    "email": "owner@example.com", "password": "a-long-passphrase-42", "firstname": "Anna", "lastname": "Nowak",
    "company_name": "Nowak Hosting", "tax_id": "PL5260250995", "phone": "+48 22 123 45 67", "language": "pl",
    "currency": "PLN", "status": "ACTIVE", "billing_address1": "Main Street 1", "billing_address2": "Floor 2",
    "billing_city": "Warszawa", "billing_postcode": "02-454", "billing_country": "PL", "billing_region": "PL-14",
    "send_welcome_email": "", "group": "", "payment_terms_days": "21", "tax_exempt": "true",
    "reminders_enabled": "false",
}


def test_the_sample_covers_every_field_the_form_offers():
    assert set(FORM) == set(ClientCreateForm.base_fields) - {"submission"}  # the one-time key: the page's


def test_every_field_of_the_staff_form_is_stored(staff_client):
    response = staff_client.post("/staff/clients/create/", FORM)
    assert response.status_code in (200, 302), response.content
    client = Client.objects.select_related("owner").get()
    billing = Address.objects.get(client=client, type=AddressType.BILLING)
    assert (client.owner.email, client.firstname, client.lastname, client.company_name, client.tax_id, client.phone,
            client.language, client.currency, client.status) == (
        "owner@example.com", "Anna", "Nowak", "Nowak Hosting", "PL5260250995", "+48221234567", "pl", "PLN", "ACTIVE")
    assert (billing.address1, billing.address2, billing.city, billing.postcode, billing.country, billing.region) == (
        "Main Street 1", "Floor 2", "Warszawa", "02-454", "PL", "PL-14")
    assert client.owner.check_password(FORM["password"])
    assert (client.group_id, client.payment_terms_days, client.tax_exempt, client.reminders_enabled) == (
        None, 21, True, False)


@pytest.mark.parametrize("text", ["\u200b", "\u2060\u200d", "\ufeff"])
def test_an_invisible_company_name_is_refused_in_the_form(staff_client, text):
    response = staff_client.post("/staff/clients/create/", {**FORM, "company_name": text})
    assert "shows no visible character" in response.content.decode()
    assert not Client.objects.exists()
