"""A home company whose numbering patterns could make one number for two document types (saved
before tax.services.patterns refused that) issues no document with a number a document of another
type carries: the issue is refused and its counter's number given back, until staff change a
pattern (which is then checked against the others)."""

import pytest

from clientpanel.clients.services import client_create
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed_client():
    tax_rule_save(actor=None, company_id=default_home_company().pk, data={"tax1_name": "VAT", "tax1_rate": "8"})
    return client_create(actor=None, data=client_data())


def collide(**patterns) -> None:
    """Patterns saved before the rule (written around the service)."""
    HomeCompany.objects.filter(pk=default_home_company().pk).update(**patterns)


def test_a_credit_note_is_never_issued_with_an_invoices_number(taxed_client):
    collide(invoice_pattern="DOC/{YEAR}/{MONTH}/{NUMBER:3}", credit_note_pattern="DOC/{YEAR}/{MONTH}/{NUMBER:3}")
    proforma = proforma_add_funds(actor=None, client_id=taxed_client.pk, net_amount="50")
    proforma_pay(actor=None, document_id=proforma.pk, amount="54.00")
    invoice = Document.objects.get(type="INVOICE")
    with pytest.raises(Conflict, match=invoice.number):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5")
    assert not Document.objects.filter(type="CREDIT_NOTE").exists()
    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, company_id=invoice.home_company_id,
                          data={"credit_note_pattern": "doc/{YEAR}/{MONTH}/{NUMBER}"})
    assert "(invoice_pattern)" in refused.value.fields["credit_note_pattern"][0]
    home_company_save(actor=None, company_id=invoice.home_company_id,
                      data={"credit_note_pattern": "KOR/{YEAR}/{MONTH}/{NUMBER:3}"})
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5").note
    assert note.number.startswith("KOR/") and note.number.endswith("/001")


def test_a_final_invoice_is_never_issued_with_its_proformas_number(taxed_client):
    collide(proforma_pattern="D{YEAR}{MONTH}-{NUMBER}", invoice_pattern="D{YEAR}{MONTH}-{NUMBER}")
    proforma = proforma_add_funds(actor=None, client_id=taxed_client.pk, net_amount="20")
    with pytest.raises(Conflict, match="Proforma"):
        proforma_pay(actor=None, document_id=proforma.pk, amount="21.60")
    assert Document.objects.get(pk=proforma.pk).status == "UNPAID"
    assert not Document.objects.filter(type="INVOICE").exists()
