"""Issuing, paying and refunding documents publish their events in the service's transaction
(issue 10)."""

from decimal import Decimal

import pytest

from clientpanel.core.tests.recording import recorded_events
from clientpanel.invoicing.events import DocumentIssued, DocumentPaid, DocumentRefunded
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.ledger.events import LedgerEntryPosted

pytestmark = pytest.mark.django_db

DOCUMENT_EVENTS = (DocumentIssued, DocumentPaid, DocumentRefunded, LedgerEntryPosted)


def names(events) -> list[str]:
    return [event.name for event in events]


def test_a_proforma_issued_paid_and_refunded_publishes_each_step(make_client):
    client = make_client(currency="USD")
    with recorded_events(*DOCUMENT_EVENTS) as events:
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    assert events == [DocumentIssued(document_id=proforma.pk, client_id=client.pk, type="PROFORMA",
                                     number=proforma.number, currency="USD", total=proforma.total)]

    with recorded_events(*DOCUMENT_EVENTS) as events:
        proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    assert names(events) == ["ledger.entry_posted"]  # a partial payment settles nothing yet

    with recorded_events(*DOCUMENT_EVENTS) as events:
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total - Decimal("40.00")))
    invoice = Document.objects.get(type=DocumentType.INVOICE)
    assert names(events) == ["ledger.entry_posted", "document.issued", "document.paid"]
    assert events[1].payload() | {"document_id": "…"} == {
        "document_id": "…", "client_id": str(client.pk), "type": "INVOICE", "number": invoice.number,
        "currency": "USD", "total": "100.0000"}
    assert events[2] == DocumentPaid(document_id=proforma.pk, client_id=client.pk, number=proforma.number,
                                     invoice_id=invoice.pk, invoice_number=invoice.number, currency="USD",
                                     total=Decimal("100"))

    with recorded_events(*DOCUMENT_EVENTS) as events:
        note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="30.00").note
    assert names(events) == ["ledger.entry_posted", "document.issued", "document.refunded"]
    assert (events[1].type, events[1].total) == ("CREDIT_NOTE", Decimal("-30"))
    assert events[2] == DocumentRefunded(document_id=invoice.pk, client_id=client.pk, number=invoice.number,
                                         credit_note_id=note.pk, credit_note_number=note.number, currency="USD",
                                         refunded_total=Decimal("30"), status="PARTIALLY_REFUNDED")
