"""GET /api/v1/invoices/{id}/xml?format=…: a value that names no format is the request's mistake —
422 naming the parameter and the formats there are — where it answered 404 "This document's
e-invoice is in the format ubl", as if the document were at fault."""

from __future__ import annotations

import pytest

from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.tests.test_requirements import company, invoice_for, rule

pytestmark = pytest.mark.django_db


def test_the_api_names_the_format_parameter_and_the_formats_for_a_value_that_is_none(make_client, api):
    us = company(country="US", region="California", us_ein="12-3456789")
    rule(us, "US")
    einvoice_profile_save(actor=None, company_id=us.pk, format_key="ubl")
    invoice = invoice_for(make_client, us, country="US", currency="USD")
    answer = api.get(f"/invoices/{invoice.pk}/xml", format="bogus")
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert "'bogus'" in error["message"] and "parameter format" in error["message"]
    assert error["fields"]["format"] == ["Use one of cii, facturx, ksef_fa3, ubl."]
    assert api.get(f"/invoices/{invoice.pk}/xml", format="cii").status_code == 404  # a format, not this one
    assert api.get(f"/invoices/{invoice.pk}/xml", format="UBL").status_code == 200
    assert api.get(f"/invoices/{invoice.pk}/xml").status_code == 200
