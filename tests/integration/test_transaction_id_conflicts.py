"""A transaction ID already on an entry refuses a payment, a credit note and a manual transaction
alike (409 transaction_id_used), with one message naming that entry by the amount entered for it: a
payment by its gross (20.00 paid, never its net part 16.2602 at 23%), a credit note's refund by the
net refunded, a manual adjustment by its signed amount — as money in the currency's places, in the
reader's language (ledger.services.common.TransactionIdUsed.by)."""

import pytest
from django.utils import translation

from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentType, Payment
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import TransactionIdUsed, manual_transaction_create
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
PAYMENT = f"(payment PLN{NBSP}20.00, "  # 20.00 paid: its net part is 16.2602
REFUND = f"(refund PLN{NBSP}10.00, "  # 10 net refunded (the note's total with tax is -12.30)
ADJUSTMENT = f"(adjustment -PLN{NBSP}5.50, "  # -5.5 typed


def _proforma(client, price="100"):
    return proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": price}])  # 123.00 gross at 23%


@pytest.fixture
def used(db):
    """A PLN client (VAT 23%) whose ledger holds a payment 'wire-7' of 20.00, a credit note's refund
    'rf-1' of 10 net and a manual adjustment 'adj-1' of -5.50; and an invoice left to refund."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ sp. z o.o.", "country": "PL",
                                                                "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN"))
    proforma_pay(actor=None, document_id=_proforma(client).pk, amount="20.00", transaction_id="wire-7")
    paid = _proforma(client)
    proforma_pay(actor=None, document_id=paid.pk, amount="123.00")
    paid.refresh_from_db()
    credit_note_issue(actor=None, invoice_id=paid.related_id, net_amount="10", transaction_id="rf-1")
    manual_transaction_create(actor=None, client_id=client.pk, amount="-5.5", transaction_id="adj-1",
                              description="Correction")
    kept = {entry.transaction_id: (entry.type, str(entry.net), str(entry.gross))
            for entry in LedgerEntry.objects.filter(client=client).exclude(transaction_id="")}
    assert kept == {"wire-7": (EntryType.PAYMENT, "16.2602", "20.0000"),
                    "rf-1": (EntryType.REFUND, "-10.0000", "-12.3000"),
                    "adj-1": (EntryType.ADJUSTMENT, "-5.5000", "-5.5000")}
    return client, Document.objects.get(pk=paid.related_id)


def _refused(post) -> str:
    with pytest.raises(TransactionIdUsed) as refused:
        post()
    assert refused.value.status_code == 409
    return str(refused.value.message)


def _entries(client) -> int:
    return LedgerEntry.objects.filter(client=client).count()


@pytest.mark.parametrize(("transaction_id", "named"), [("wire-7", PAYMENT), ("rf-1", REFUND),
                                                       ("adj-1", ADJUSTMENT)])
def test_a_payment_with_a_used_id_names_the_entry_by_what_was_entered(used, transaction_id, named):
    client, _invoice = used
    before = _entries(client)
    message = _refused(lambda: proforma_pay(actor=None, document_id=_proforma(client).pk, amount="20.00",
                                            transaction_id=transaction_id))
    assert f"'{transaction_id}'" in message and named in message and "16.26" not in message
    assert _entries(client) == before


@pytest.mark.parametrize(("transaction_id", "named"), [("wire-7", PAYMENT), ("adj-1", ADJUSTMENT)])
def test_a_credit_note_with_a_used_id_names_the_entry_by_what_was_entered(used, transaction_id, named):
    client, invoice = used
    notes, before = Document.objects.filter(type=DocumentType.CREDIT_NOTE).count(), _entries(client)
    message = _refused(lambda: credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5",
                                                 transaction_id=transaction_id))
    assert named in message and "16.26" not in message
    assert Document.objects.filter(type=DocumentType.CREDIT_NOTE).count() == notes and _entries(client) == before


def test_a_credit_note_repeating_a_refund_id_with_another_amount_names_the_refund_as_typed(used):
    _client, invoice = used
    message = _refused(lambda: credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="6",
                                                 transaction_id="rf-1"))
    assert REFUND in message and "12.30" not in message


@pytest.mark.parametrize(("transaction_id", "named"), [("wire-7", PAYMENT), ("rf-1", REFUND),
                                                       ("adj-1", ADJUSTMENT)])
def test_a_manual_transaction_with_a_used_id_names_the_entry_by_what_was_entered(used, transaction_id, named):
    client, _invoice = used
    before = _entries(client)
    message = _refused(lambda: manual_transaction_create(actor=None, client_id=client.pk, amount="5",
                                                         transaction_id=transaction_id, description="Again"))
    assert named in message and "16.26" not in message
    assert _entries(client) == before


def test_the_api_answers_a_payments_id_by_its_gross_in_polish_too(used, api):
    client, _invoice = used
    answer = api.post(f"/clients/{client.pk}/transactions", {"amount": "5.00", "transaction_id": "wire-7",
                                                             "description": "Top-up"})
    assert answer.status_code == 409, answer.content
    error = answer.json()["error"]
    assert error["code"] == "transaction_id_used" and PAYMENT in error["message"]
    assert "16.26" not in error["message"]
    with translation.override("pl"):
        message = _refused(lambda: manual_transaction_create(actor=None, client_id=client.pk, amount="5",
                                                             transaction_id="wire-7", description="Again"))
    assert f"(wpłata 20,00{NBSP}zł, " in message and "16,26" not in message
    assert Payment.objects.filter(transaction_id="wire-7").count() == 1
