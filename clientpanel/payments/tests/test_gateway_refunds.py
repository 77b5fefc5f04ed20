"""A credit note for an invoice paid online sends the money back through the gateway that took it
(issue 15, item 5): the credit note is in the books first, the gateway's refund id is kept with it,
a refused refund keeps its reason and is retried by staff without ever refunding twice; an invoice
paid by bank transfer offers no such choice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.payments.gateways import GatewayError
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import GatewayRefund, RefundStatus
from clientpanel.payments.refunds import credit_note_with_gateway_refund, gateway_refund_send, refundable_attempt
from clientpanel.payments.tests.online import paid_through_test_gateway

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def paid_online(make_client):
    payer = make_client(currency="USD")
    invoice, attempt = paid_through_test_gateway(payer)
    return {"payer": payer, "invoice": invoice, "attempt": attempt}


def test_a_credit_note_sends_the_money_back_through_the_gateway_and_keeps_its_refund_id(paid_online, staff_client):
    invoice = paid_online["invoice"]
    form = staff_client.get(reverse("backoffice:document-credit-note", args=[invoice.pk])).content.decode()
    assert 'name="refund_through_gateway"' in form
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "15", "reason": "Unused days", "refund_through_gateway": "on"})
    refund = GatewayRefund.objects.get()
    note = refund.credit_note
    assert note.type == DocumentType.CREDIT_NOTE and note.related_id == invoice.pk and note.total == D("-15")
    assert refund.status == RefundStatus.SUCCEEDED and refund.refund_id.startswith("re_test_")
    assert refund.amount == D("15") and refund.attempt_id == paid_online["attempt"].pk
    assert LedgerEntry.objects.filter(client=paid_online["payer"], type=EntryType.REFUND).count() == 1
    page = staff_client.get(reverse("backoffice:document-detail", args=[note.pk])).content.decode()
    assert refund.refund_id in page and 'id="gateway-refund"' in page


def test_a_refused_refund_keeps_its_reason_and_a_retry_refunds_once(paid_online, staff_client, monkeypatch):
    calls = []
    real = card.TestGateway.refund

    def refuse(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        raise GatewayError("The card account is closed.")

    monkeypatch.setattr(card.TestGateway, "refund", refuse)
    outcome, refund = credit_note_with_gateway_refund(actor=None, invoice_id=paid_online["invoice"].pk,
                                                      net_amount="10")
    assert outcome.note.number and refund.status == RefundStatus.FAILED and "closed" in refund.error
    page = staff_client.get(reverse("backoffice:document-detail", args=[outcome.note.pk])).content.decode()
    assert "The card account is closed." in page and "Ask the gateway again" in page

    def succeed(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        return real(self, **kwargs)

    monkeypatch.setattr(card.TestGateway, "refund", succeed)
    staff_client.post(reverse("backoffice:document-gateway-refund-retry", args=[outcome.note.pk]))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.error == ""
    assert gateway_refund_send(refund_id=refund.pk).refund_id == refund.refund_id  # made: not asked again
    assert calls == [str(refund.pk), str(refund.pk)]  # the same idempotency key both times
    assert GatewayRefund.objects.count() == 1 and Document.objects.filter(type=DocumentType.CREDIT_NOTE).count() == 1


def test_an_invoice_paid_by_bank_transfer_offers_no_gateway_refund(make_client, staff_client):
    payer = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="40")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id)
    assert refundable_attempt(invoice) is None
    form = staff_client.get(reverse("backoffice:document-credit-note", args=[invoice.pk])).content.decode()
    assert "refund_through_gateway" not in form
    with pytest.raises(Conflict):
        credit_note_with_gateway_refund(actor=None, invoice_id=invoice.pk, net_amount="5")
    # Forcing the field in a POST changes nothing: the form has no such field for this invoice.
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "5", "refund_through_gateway": "on"})
    assert GatewayRefund.objects.count() == 0 and Document.objects.filter(type=DocumentType.CREDIT_NOTE).count() == 1


def test_never_more_goes_back_than_the_payment_took_and_a_repeated_form_refunds_once(paid_online):
    invoice = paid_online["invoice"]
    _first, refund = credit_note_with_gateway_refund(actor=None, invoice_id=invoice.pk, net_amount="10",
                                                     transaction_id="CN-REQ-1")
    again, same = credit_note_with_gateway_refund(actor=None, invoice_id=invoice.pk, net_amount="10",
                                                  transaction_id="CN-REQ-1")
    assert not again.created and same.pk == refund.pk and GatewayRefund.objects.count() == 1
    GatewayRefund.objects.filter(pk=refund.pk).update(amount=D("45"))  # as if most had gone back already
    with pytest.raises(Conflict, match="went back already"):
        credit_note_with_gateway_refund(actor=None, invoice_id=invoice.pk, net_amount="10")
    assert GatewayRefund.objects.count() == 1
    assert Document.objects.filter(type=DocumentType.CREDIT_NOTE).count() == 1  # the refused one rolled back
