"""Property-based money tests (issue 8): random sequences of partial payments under 1–3 random tax
rates, then random credit notes, through the real services and database. Whatever the figures:
the payments' nets add up to the proforma's net; per rate the refunded tax never exceeds the
invoiced tax and equals it once everything is refunded; the balance is the sum of the nets; no
operation leaves a document that can no longer be settled; verify_ledger finds nothing."""

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.ledger.models import LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.tax.models import TaxRule
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
_emails = itertools.count(1)

rates = st.lists(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("27"), places=3), min_size=1,
                 max_size=3)
nets = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2)
shares = st.lists(st.integers(min_value=1, max_value=10_000), max_size=8)  # parts per 10,000 of what is left
items = st.lists(st.tuples(nets, st.booleans()), min_size=1, max_size=3)  # (net, is_topup)


class Rollback(Exception):
    """Leaves each example's writes behind in a rolled-back savepoint."""


def _setup(tax_rates: list[Decimal]) -> Client:
    company = default_home_company()
    TaxRule.objects.filter(home_company=company).delete()
    data = {"country": "", "region": ""}
    for n, rate in enumerate(tax_rates, start=1):
        data |= {f"tax{n}_name": f"T{n}", f"tax{n}_rate": str(rate)}
    tax_rule_save(actor=None, company_id=company.pk, data=data)
    return client_create(actor=None, data=client_data(currency="USD", email=f"prop{next(_emails)}@example.com"))


def _part(left: Decimal, share: int) -> Decimal:
    return (left * share / 10_000).quantize(CENT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tax_rates=rates, lines=items, payment_shares=shares, refund_shares=shares)
def test_random_payments_and_refunds_keep_every_money_rule(db, tax_rates, lines, payment_shares, refund_shares):
    try:
        with transaction.atomic():
            _run(tax_rates, lines, payment_shares, refund_shares)
            raise Rollback
    except Rollback:
        pass


def _run(tax_rates, lines, payment_shares, refund_shares):
    client = _setup(tax_rates)
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": None if topup else "Work", "quantity": "1", "unit_price": str(net), "is_topup": topup}
        for net, topup in lines])
    for share in payment_shares:
        proforma.refresh_from_db()
        left = proforma.total - proforma.paid_gross
        gross = _part(left, share)
        if not CENT <= gross < left:
            continue
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(gross))
        proforma.refresh_from_db()
        # A way out: something is still due and there is net left for it.
        assert proforma.status == DocumentStatus.UNPAID and proforma.net - proforma.paid_net > 0
    proforma.refresh_from_db()
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total - proforma.paid_gross))
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED
    assert sum(Payment.objects.filter(document=proforma).values_list("net", flat=True)) == proforma.net
    invoice = proforma.related

    for share in refund_shares:
        invoice.refresh_from_db()
        left = invoice.net - invoice.refunded_net
        net = _part(left, share)
        if not CENT <= net < left:
            continue
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=str(net))
        _assert_tax_within_invoiced(invoice, complete=False)
    invoice.refresh_from_db()
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=str(invoice.net - invoice.refunded_net))
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.REFUNDED
    _assert_tax_within_invoiced(invoice, complete=True)

    client.refresh_from_db()
    entries = LedgerEntry.objects.filter(client=client)
    assert client.balance == sum(entries.values_list("net", flat=True))
    assert client.balance == 0  # everything paid was refunded and every charge reversed
    assert ledger_breaches(client_id=client.pk) == []


def _assert_tax_within_invoiced(invoice: Document, *, complete: bool) -> None:
    invoiced = [Decimal(t["amount"]) for t in invoice.tax_lines]
    refunded = [Decimal(0)] * len(invoiced)
    for note in Document.objects.filter(related=invoice, type=DocumentType.CREDIT_NOTE):
        for position, line in enumerate(note.tax_lines):
            refunded[position] -= Decimal(line["amount"])
            assert Decimal(line["amount"]) <= 0  # a note never charges tax
    if complete:
        assert refunded == invoiced
    else:
        assert all(r <= i for r, i in zip(refunded, invoiced, strict=True))
