"""The rules of a document's state, as the services apply them."""

from decimal import Decimal

import pytest

from clientpanel.invoicing import rules
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType


def doc(type_, status, **amounts) -> Document:
    return Document(type=type_, status=status, net=amounts.get("net", Decimal("10")),
                    paid_gross=amounts.get("paid_gross", Decimal(0)), refunded_net=amounts.get("refunded_net",
                                                                                               Decimal(0)))


@pytest.mark.parametrize("document, pay, cancel, credit", [
    (doc("PROFORMA", "UNPAID"), True, True, False),
    (doc("PROFORMA", "UNPAID", paid_gross=Decimal("1")), True, True, False),  # what it received stays as credit
    (doc("PROFORMA", "DRAFT"), False, True, False),
    (doc("PROFORMA", "INVOICED"), False, False, False),
    (doc("PROFORMA", "CANCELLED"), False, False, False),
    (doc("INVOICE", "PAID"), False, False, True),
    (doc("INVOICE", "PARTIALLY_REFUNDED", refunded_net=Decimal("4")), False, False, True),
    (doc("INVOICE", "REFUNDED", refunded_net=Decimal("10")), False, False, False),
    (doc("CREDIT_NOTE", "REFUNDED"), False, False, False),
])
def test_each_state_allows_exactly_its_actions(document, pay, cancel, credit):
    assert (rules.takes_payment(document), rules.can_be_cancelled(document), rules.can_be_credited(document)) == (
        pay, cancel, credit)


def test_refundable_net_is_what_is_left_on_a_paid_invoice_only():
    assert rules.refundable_net(doc(DocumentType.INVOICE, DocumentStatus.PARTIALLY_REFUNDED,
                                    refunded_net=Decimal("2.5"))) == Decimal("7.5")
    assert rules.refundable_net(doc(DocumentType.PROFORMA, DocumentStatus.UNPAID)) == 0
