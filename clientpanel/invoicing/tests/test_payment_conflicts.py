"""A payment's transaction ID used before: the 409 names the payment it is on by the gross that was
entered for it (20.00), never by its net part (16.2602 at 23%), in the reader's language."""

import pytest
from django.utils import translation

from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Payment
from clientpanel.invoicing.services import proforma_issue, proforma_pay
from clientpanel.ledger.services import TransactionIdUsed
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def pln_client(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ sp. z o.o.", "country": "PL",
                                                                "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return client_create(actor=None, data=client_data(currency="PLN"))


def _proforma(client):
    return proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100"}])  # 123.00 gross


@pytest.mark.parametrize(("language", "quoted", "net"), [("en", "#1 (payment PLN\u00a020.00, ", "16.26"),
                                                         ("pl", "nr 1 (wpłata 20,00\u00a0zł, ", "16,26")])
def test_a_transaction_id_on_another_proformas_payment_is_quoted_by_the_gross_entered(pln_client, language,
                                                                                      quoted, net):
    first, second = _proforma(pln_client), _proforma(pln_client)
    proforma_pay(actor=None, document_id=first.pk, amount="20.00", transaction_id="wire-7")
    assert str(Payment.objects.get(transaction_id="wire-7").net) == "16.2602"
    with translation.override(language), pytest.raises(TransactionIdUsed) as refused:
        proforma_pay(actor=None, document_id=second.pk, amount="20.00", transaction_id="wire-7")
    message = str(refused.value.message)
    assert refused.value.status_code == 409 and "'wire-7'" in message
    assert quoted in message and net not in message
    assert not Payment.objects.filter(document=second).exists()


def test_the_same_id_with_another_amount_on_the_same_proforma_is_quoted_by_its_gross(pln_client):
    proforma = _proforma(pln_client)
    proforma_pay(actor=None, document_id=proforma.pk, amount="20.00", transaction_id="wire-8")
    with pytest.raises(TransactionIdUsed) as refused:
        proforma_pay(actor=None, document_id=proforma.pk, amount="30.00", transaction_id="wire-8")
    assert "(payment PLN\u00a020.00, " in str(refused.value.message)
    assert Payment.objects.filter(document=proforma).count() == 1
