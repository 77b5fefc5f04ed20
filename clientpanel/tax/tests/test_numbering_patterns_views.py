"""Numbering patterns that could make another series' numbers, or no sensible number, refused
through the staff form and the API (issuing: invoicing/tests/test_numbering_collisions.py)."""

import pytest
from django.urls import reverse

from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def form_data(company: HomeCompany, **changes) -> dict:
    # What the form shows filled in, as the browser sends it back (a default company's box ticked).
    fields = ["name", "address1", "address2", "city", "postcode", "country", "region", "topup_item_name",
              "refund_item_name", "reminder_days_before", "reminder_days_overdue", "time_zone", "language",
              "proforma_pattern", "proforma_reset", "invoice_pattern", "invoice_reset", "credit_note_pattern",
              "credit_note_reset"]
    data = {name: getattr(company, name) for name in fields} | {"is_default": "on"}
    return data | changes


@pytest.mark.parametrize(("field", "pattern", "words"), [
    ("credit_note_pattern", "Inv/{YEAR}/{MONTH}/{NUMBER:5}", "(invoice_pattern)"),
    ("invoice_pattern", "PROFORMA/{YEAR}/{MONTH}/{NUMBER}", "(proforma_pattern)"),
    ("invoice_pattern", "F/{YEAR}/{MONTH}/{NUMBER}/{NUMBER}", "exactly once"),
    ("credit_note_pattern", "CN/{YEAR}/{MONTH}/{NUMBER:0}", "1 to 12"),
])
def test_the_staff_form_refuses_the_pattern_on_its_field(staff_client, field, pattern, words):
    company = default_home_company()
    url = reverse("backoffice:home-company-edit", args=[company.pk])
    response = staff_client.post(url, form_data(company, **{field: pattern}))
    assert response.status_code == 200
    assert words in response.context["form"].errors[field][0]
    assert getattr(HomeCompany.objects.get(pk=company.pk), field) != pattern
    assert staff_client.post(url, form_data(company, city="Gdańsk")).status_code == 302


@pytest.mark.parametrize(("body", "field"), [
    ({"invoice_pattern": "N-{YEAR}-{NUMBER}", "credit_note_pattern": "n-{YEAR}-{NUMBER:4}"}, "credit_note_pattern"),
    ({"proforma_pattern": "INV/{YEAR}/{MONTH}/{NUMBER}"}, "proforma_pattern"),
    ({"credit_note_pattern": "CN{NUMBER:7}" + "x" * 85}, "credit_note_pattern"),  # 106 characters made
])
def test_the_api_refuses_the_pattern_as_a_field_error(api, body, field):
    before = HomeCompany.objects.count()
    response = api.post("/home-companies", {"name": "Acme", "country": "PL", "invoice_reset": "NEVER",
                                            "credit_note_reset": "NEVER", "proforma_reset": "NEVER", **body})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error" and field in response.json()["error"]["fields"]
    assert HomeCompany.objects.count() == before
