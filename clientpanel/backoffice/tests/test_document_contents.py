"""What staff see of what documents hold (issue 14): a credit note's reason asked for, bounded and
shown; a warning on the home company page and in the tax rule form when a company charges a tax it
has no registration number for."""

import pytest
from django.urls import reverse

from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(db):
    client = client_create(actor=None, data=client_data())
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    return Document.objects.get(pk=proforma.pk).related


def test_a_credit_note_keeps_and_shows_its_reason(staff_client, invoice):
    url = reverse("backoffice:document-credit-note", args=[invoice.pk])
    staff_client.post(url, {"net_amount": "5", "reason": "Downtime on 3 May"})
    note = Document.objects.get(type="CREDIT_NOTE")
    assert note.reason == "Downtime on 3 May"
    page = staff_client.get(reverse("backoffice:document-detail", args=[note.pk])).content.decode()
    assert 'id="credit-note-reason"' in page and "Downtime on 3 May" in page


@pytest.mark.parametrize("reason", ["r" * 201, "two\nlines"])
def test_a_reason_too_long_or_of_two_lines_is_refused_in_the_form(staff_client, invoice, reason):
    url = reverse("backoffice:document-credit-note", args=[invoice.pk])
    page = staff_client.post(url, {"net_amount": "5", "reason": reason}).content.decode()
    assert "invalid-feedback" in page and 'name="reason"' in page
    assert not Document.objects.filter(type="CREDIT_NOTE").exists()


def test_a_canadian_company_charging_gst_without_its_number_is_warned(staff_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "Maple Inc.", "country": "CA",
                                                               "region": "ON"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "CA", "region": "ON", "tax1_name": "HST",
                                                            "tax1_rate": "13"})
    edit = reverse("backoffice:home-company-edit", args=[company.pk])
    page = staff_client.get(edit).content.decode()
    assert 'id="registration-gaps"' in page and "alert-warning" in page and "no GST/HST number" in page
    home_company_save(actor=None, company_id=company.pk, data={"ca_gst_hst": "123456789RT0001"})
    assert 'id="registration-gaps"' not in staff_client.get(edit).content.decode()


def test_the_tax_rule_form_warns_of_the_vat_an_eu_company_has_no_id_for(staff_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "Firma", "country": "PL", "eu_vat_id": "",
                                                               "local_tax_id": ""})
    url = reverse("backoffice:tax-rule-create", args=[company.pk])
    assert 'id="registration-gaps"' not in staff_client.get(url).content.decode()  # no tax charged yet
    page = staff_client.post(url, {"country": "XX", "tax1_name": "VAT", "tax1_rate": "23",
                                   "applies_private": "on", "priority": "0"}).content.decode()
    assert 'id="registration-gaps"' in page and "no VAT ID" in page
