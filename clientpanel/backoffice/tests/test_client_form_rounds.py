"""The client forms report every problem in one round (an experienced WHMCS user expects it): with
the country missing, the Add New Client page named only the required fields, and the taken e-mail,
the invalid tax ID and the invalid phone came back only once that was fixed. The form's own checks
and the service's (clients.services.client_create_check / client_update_check: the service's rules,
run without writing) now answer together."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client

pytestmark = pytest.mark.django_db

CREATE_FORM = {
    "email": "new@example.com", "password": "", "firstname": "Isac", "lastname": "Mann",
    "company_name": "Zenith Systems", "tax_id": "", "phone": "", "language": "en", "currency": "EUR",
    "status": "NEW", "billing_address1": "", "billing_address2": "", "billing_city": "", "billing_postcode": "",
    "billing_country": "", "billing_region": "",
}


def _field_errors(page: str) -> dict[str, str]:
    """Each field's error text, by the field's name (ui/_field.html: the invalid-feedback after it)."""
    errors = {}
    for name in re.findall(r'name="([\w-]+)"[^>]*is-invalid|is-invalid[^>]*name="([\w-]+)"', page):
        errors.setdefault(name[0] or name[1], "")
    for field in errors:
        found = re.search(rf'name="{field}".*?<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', page, re.S)
        errors[field] = unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""
    return errors


def test_one_post_with_several_problems_gets_every_one_back_and_writes_nothing(staff_client, make_client):
    taken = make_client(email="taken@example.com")
    clients, users, events = Client.objects.count(), User.objects.count(), AuditEvent.objects.count()
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "email": "taken@example.com", "lastname": "", "tax_id": "PL1234567890", "phone": "+48 12"})
    assert response.status_code == 200
    errors = _field_errors(response.content.decode())
    assert set(errors) >= {"billing_country", "lastname", "email", "tax_id", "phone"}, errors
    assert "already exists" in errors["email"]
    assert errors["tax_id"] and errors["phone"]
    assert 'value="Zenith Systems"' in response.content.decode()  # what was typed stays
    assert (Client.objects.count(), User.objects.count(), AuditEvent.objects.count()) == (clients, users, events)
    assert taken.owner.email == "taken@example.com"


def test_each_field_says_its_problem_once(staff_client):
    """The service's words are added only where the form found nothing: a missing last name is
    said once, not by the form and again by the service."""
    page = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {"lastname": ""}).content.decode()
    errors = _field_errors(page)
    assert set(errors) == {"lastname", "billing_country"}
    assert page.count('class="invalid-feedback') == 2


def test_quick_create_reports_the_taken_email_with_the_missing_country(staff_client, make_client):
    make_client(email="taken@example.com")
    response = staff_client.post(reverse("backoffice:client-quick-create"), {
        "quick-firstname": "Zoe", "quick-lastname": "Labadie", "quick-email": "taken@example.com",
        "quick-country": ""}, headers={"HX-Request": "true"})
    errors = _field_errors(response.content.decode())
    assert {"quick-country", "quick-email"} <= set(errors), errors
    assert Client.objects.count() == 1


def test_profile_reports_the_invalid_tax_id_with_the_missing_last_name(staff_client, make_client):
    client = make_client()
    page = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), {
        "firstname": "Ruslan", "lastname": "", "company_name": "", "tax_id": "PL1234567890", "phone": "+48 12",
        "language": "en", "currency": "USD", "status": "ACTIVE", "credit_limit": "0", "group": "",
        "payment_terms_days": "", "tax_exempt": "", "reminders_enabled": "", "id_number": "", "admin_notes": "",
        "public_notes": "", "einvoice_format": "", "peppol_id": ""}).content.decode()
    errors = _field_errors(page)
    assert {"lastname", "tax_id", "phone"} <= set(errors), errors
    client.refresh_from_db()
    assert client.lastname.startswith("Polovyi") and client.tax_id == ""
