"""A credit note that refunds added funds (top-ups) takes them from the balance: funds the client has
spent since on charges are not sent back a second time unless staff say so (logged), as a debit
beyond balance + credit limit is refused everywhere else (SPEC §5). Refunding items that were
charged is never limited: their charge is reversed in the same transaction. Through the service,
the REST API and the staff page."""

import re
from decimal import Decimal

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.ledger.models import LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import InsufficientFunds, manual_transaction_create
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


def _client(credit_limit: str = "0") -> Client:
    tax_rule_save(actor=None, company_id=default_home_company().pk,
                  data={"country": "", "region": "", "tax1_name": "VAT", "tax1_rate": "23"})
    return client_create(actor=None, data=client_data(currency="EUR", credit_limit=credit_limit))


def _paid_invoice(client: Client, *, top_up: str = "", work: str = "") -> Document:
    items = ([{"description": None, "unit_price": top_up, "is_topup": True}] if top_up else []) + (
        [{"description": "Migration work", "unit_price": work}] if work else [])
    proforma = proforma_issue(actor=None, client_id=client.pk, items=items)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    return proforma.related


def _spend(client: Client, amount: str) -> None:
    manual_transaction_create(actor=None, client_id=client.pk, amount=f"-{amount}", description="Server time")


def _balance(client: Client) -> Decimal:
    client.refresh_from_db()
    return client.balance


def _notes() -> int:
    return Document.objects.filter(type=DocumentType.CREDIT_NOTE).count()


def test_funds_spent_since_are_not_refunded_and_nothing_is_written():
    client = _client()
    invoice = _paid_invoice(client, top_up="100.00")
    _spend(client, "80")  # balance 20.00 of the 100.00 added
    entries = LedgerEntry.objects.filter(client=client).count()
    with pytest.raises(InsufficientFunds) as refused:
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="100.00")
    assert "€100.00 of added funds" in str(refused.value) and "Refund at most €20.00 net" in str(refused.value)
    assert refused.value.fields == {"net_amount": ["The client's funds allow at most €20.00 net now."]}
    invoice.refresh_from_db()
    assert (invoice.status, invoice.refunded_net, _notes()) == (DocumentStatus.PAID, Decimal(0), 0)
    assert LedgerEntry.objects.filter(client=client).count() == entries and _balance(client) == Decimal("20")
    # What is left on the balance goes back; the next note takes its number with no gap.
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20.00").note
    assert note.number.endswith("/1") and note.total == Decimal("-24.60") and _balance(client) == 0
    with pytest.raises(InsufficientFunds):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="0.01")


def test_the_credit_limit_counts_as_funds():
    client = _client(credit_limit="50.00")
    invoice = _paid_invoice(client, top_up="100.00")
    _spend(client, "80")  # 20.00 + a limit of 50.00
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="70.00")
    assert _balance(client) == Decimal("-50")
    with pytest.raises(InsufficientFunds):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="0.01")


def test_staff_may_refund_spent_funds_explicitly_and_it_is_logged():
    client = _client()
    invoice = _paid_invoice(client, top_up="100.00")
    _spend(client, "80")
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="100.00", allow_over_limit=True).note
    assert _balance(client) == Decimal("-80") and ledger_breaches(client_id=client.pk) == []
    event = AuditEvent.objects.get(action="document.credit_note", object_id=str(note.pk))
    assert event.changes["credit_limit_override"] == [None, True]


def test_refunding_charged_items_is_never_limited_and_top_ups_after_them_are():
    client = _client()
    invoice = _paid_invoice(client, top_up="50.00", work="50.00")
    _spend(client, "50")  # the 50.00 added is spent; the work was charged when paid
    assert _balance(client) == 0
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="30.00")  # work: its charge reversed
    assert _balance(client) == 0
    with pytest.raises(InsufficientFunds, match=r"Refund at most €20\.00 net"):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20.01")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20.00")
    invoice.refresh_from_db()
    assert invoice.refunded_net == Decimal("50") and _balance(client) == 0


def test_the_api_answers_409_and_refunds_with_allow_over_limit(api):
    client = _client()
    invoice = _paid_invoice(client, top_up="100.00")
    _spend(client, "80")
    refused = api.post(f"/invoices/{invoice.pk}/credit-notes", {"net_amount": "30.00"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_funds"
    assert refused.json()["error"]["fields"] == {"net_amount": ["The client's funds allow at most €20.00 net now."]}
    made = api.post(f"/invoices/{invoice.pk}/credit-notes", {"net_amount": "30.00", "allow_over_limit": True})
    assert made.status_code == 201 and made.json()["net"] == "-30.0000" and _balance(client) == Decimal("-10")


def test_the_staff_page_refuses_in_the_form_and_issues_with_the_box_ticked(staff_client):
    client = _client()
    invoice = _paid_invoice(client, top_up="100.00")
    _spend(client, "80")
    url = f"/staff/documents/{invoice.pk}/credit-note/"

    def key() -> str:
        page = staff_client.get(url).content.decode()
        assert 'name="allow_over_limit"' in page
        return re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)

    page = staff_client.post(url, {"net_amount": "30.00", "submission": key()}).content.decode()
    assert "the client has spent them" in page and _notes() == 0
    staff_client.post(url, {"net_amount": "30.00", "allow_over_limit": "on", "submission": key()})
    assert _notes() == 1 and _balance(client) == Decimal("-10")
