"""An item sent without a description is printed with the home company's top-up name ("Add funds"):
it is a top-up, so paying it adds to the balance as the line says. It was charged instead — the
client paid for "Add funds" and the balance did not move (a CHARGE "Add funds (INV/…)" took it
back). Through the service, the REST API and the staff proforma editor."""

from decimal import Decimal

import pytest

from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import proforma_issue, proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    tax_rule_save(actor=None, company_id=default_home_company().pk,
                  data={"country": "", "region": "", "tax1_name": "VAT", "tax1_rate": "23"})
    return client_create(actor=None, data=client_data(currency="EUR"))


def _paid(document: Document):
    proforma_pay(actor=None, document_id=document.pk, amount=str(document.total))
    document.client.refresh_from_db()
    return document.client.balance, list(LedgerEntry.objects.filter(client=document.client).order_by(
        "sequence").values_list("type", "net"))


def test_an_item_without_a_description_is_a_top_up_when_paid(customer):
    proforma = proforma_issue(actor=None, client_id=customer.pk, items=[
        {"unit_price": "100.00"}, {"description": "Migration work", "unit_price": "50.00"}])
    top_up, work = proforma.items.all()
    assert (top_up.description, top_up.is_topup, work.is_topup) == ("Add funds", True, False)
    assert _paid(proforma) == (Decimal("100"), [(EntryType.PAYMENT, Decimal("150")),
                                                (EntryType.CHARGE, Decimal("-50"))])
    invoice = Document.objects.get(type=DocumentType.INVOICE)
    assert [i.is_topup for i in invoice.items.all()] == [True, False]


def test_the_api_issues_it_as_a_top_up(customer, api):
    made = api.post(f"/clients/{customer.pk}/invoices", {"items": [{"unit_price": "100.00", "quantity": "2"}]})
    assert made.status_code == 201
    assert [(i["description"], i["is_topup"]) for i in made.json()["items"]] == [("Add funds", True)]
    balance, entries = _paid(Document.objects.get(pk=made.json()["id"]))
    assert balance == Decimal("200") and entries == [(EntryType.PAYMENT, Decimal("200"))]


def test_the_staff_editor_issues_a_line_without_words_as_a_top_up(customer, staff_client):
    response = staff_client.post(f"/staff/clients/{customer.pk}/invoices/new/", {
        "line-1-description": "", "line-1-quantity": "1", "line-1-unit_price": "40.00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    proforma = Document.objects.get(type=DocumentType.PROFORMA)
    assert [(i.description, i.is_topup) for i in proforma.items.all()] == [("Add funds", True)]
    assert _paid(proforma)[0] == Decimal("40")
