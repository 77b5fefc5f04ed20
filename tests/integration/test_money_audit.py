"""An accountant's audit of 2026-11-25: each rule with figures of its own, through the real services."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order, service_provision
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_update
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.core.money import currency_minor_unit
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.ledger.models import LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import InsufficientFunds, TransactionIdUsed, manual_transaction_create
from clientpanel.tax.models import TaxRule
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def yen(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY", "KWD"]


# --- a client's currency and what is priced in it -----------------------------------------------

def test_the_currency_stays_while_a_service_waits_to_charge_its_price_in_it(yen):
    client = client_create(actor=None, data=client_data(currency="USD", credit_limit="100"))
    product = Product.objects.create(key="vps", name="VPS", module="manual")
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("20.50"),
                                 setup_fee=Decimal("5"))
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert not LedgerEntry.objects.filter(client=client).exists()  # nothing charged yet: pending

    with pytest.raises(ValidationFailed) as refused:
        client_update(actor=None, client_id=client.pk, data={"currency": "JPY"})
    assert "services priced in it" in refused.value.fields["currency"][0]
    assert Client.objects.get(pk=client.pk).currency == "USD"
    # Its charges land in the currency they were priced in: 5.00 + 20.50 dollars, never "20.5 yen".
    service_provision(service_id=service.pk)
    assert sorted(LedgerEntry.objects.filter(client=client).values_list("net", flat=True)) == [
        Decimal("-20.5"), Decimal("-5")]


@pytest.mark.parametrize("limit, currency, ok", [
    ("100.50", "JPY", False), ("100", "JPY", True), ("100.50", "KWD", True), ("100.50", "EUR", True)])
def test_a_credit_limit_kept_through_a_change_of_currency_fits_the_new_one(yen, limit, currency, ok):
    client = client_create(actor=None, data=client_data(currency="USD", credit_limit=limit))
    if ok:
        client_update(actor=None, client_id=client.pk, data={"currency": currency})
        assert Client.objects.get(pk=client.pk).currency == currency
        return
    with pytest.raises(ValidationFailed) as refused:
        client_update(actor=None, client_id=client.pk, data={"currency": currency})
    assert refused.value.fields["credit_limit"] == ["JPY amounts have no decimal places."]
    assert Client.objects.get(pk=client.pk).currency == "USD"
    # Sent with a limit that fits, the change goes through.
    client_update(actor=None, client_id=client.pk, data={"currency": currency, "credit_limit": "100"})
    assert (Client.objects.get(pk=client.pk).currency, Client.objects.get(pk=client.pk).credit_limit) == (
        "JPY", Decimal("100"))


# --- the same document from two requests at once (PostgreSQL) ----------------------------------

def _at_once(*calls) -> list[str]:
    """Run the calls in threads started together; each answers "done" or its refusal's class."""
    outcomes = [""] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        try:
            start.wait()
            call()
            outcomes[index] = "done"
        except (Conflict, ValidationFailed) as refusal:
            outcomes[index] = type(refusal).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _gst_qst_client() -> Client:
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "Home Co", "country": "CA"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "CA", "region": "", "tax1_name": "GST",
                                                           "tax1_rate": "5", "tax2_name": "QST",
                                                           "tax2_rate": "9.975"})
    return client_create(actor=None, data=client_data(currency="CAD", billing_address={"country": "CA",
                                                                                       "region": "QC"}))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("each, refusal, paid", [
    ("100.00", "DocumentStateError", "126.48"),  # both settle it: the second finds it invoiced
    ("60.00", "ValidationFailed", "86.48"),      # each fits alone, not both: the second overpays
])
def test_two_different_payments_at_once_never_pay_more_than_is_due(each, refusal, paid):
    client = _gst_qst_client()
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Migration work", "quantity": "3", "unit_price": "33.3333"},
        {"description": None, "quantity": "1", "unit_price": "10.01", "is_topup": True}])
    # GST 5.5005 → 5.50 and QST 10.9734975 → 10.97 on the net sum.
    assert (proforma.net, proforma.tax, proforma.total) == (Decimal("110.01"), Decimal("16.47"), Decimal("126.48"))
    proforma_pay(actor=None, document_id=proforma.pk, amount="26.48")
    outcomes = _at_once(*(lambda n=n: proforma_pay(actor=None, document_id=proforma.pk, amount=each,
                                                   transaction_id=f"wire-{n}") for n in range(2)))
    assert sorted(outcomes) == [refusal, "done"]
    proforma.refresh_from_db()
    payments = Payment.objects.filter(document=proforma)
    assert proforma.paid_gross == sum(p.gross for p in payments) == Decimal(paid) and payments.count() == 2
    assert proforma.paid_net == sum(p.net for p in payments)
    invoiced = proforma.status == DocumentStatus.INVOICED
    assert Document.objects.filter(type=DocumentType.INVOICE).count() == int(invoiced) == int(paid == "126.48")
    if invoiced:
        assert proforma.paid_net == Decimal("110.01")
    client.refresh_from_db()
    assert client.balance == proforma.paid_net - (Decimal("100.00") if invoiced else 0) and ledger_breaches() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_credit_notes_of_the_whole_rest_at_once_refund_it_once_with_the_tax_invoiced():
    client = _gst_qst_client()
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Migration work", "quantity": "3", "unit_price": "33.3333"},
        {"description": None, "quantity": "1", "unit_price": "10.01", "is_topup": True}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(type=DocumentType.INVOICE)
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="0.01")
    outcomes = _at_once(*(lambda: credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="110.00")
                          for _ in range(2)))
    assert sorted(outcomes) == ["DocumentStateError", "done"]  # the second finds it refunded
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.REFUNDED and invoice.refunded_net == Decimal("110.01")
    notes = Document.objects.filter(type=DocumentType.CREDIT_NOTE)
    assert notes.count() == 2
    refunded = [sum(-Decimal(n.tax_lines[i]["amount"]) for n in notes) for i in range(2)]
    assert refunded == [Decimal(t["amount"]) for t in invoice.tax_lines] == [Decimal("5.50"), Decimal("10.97")]
    client.refresh_from_db()
    assert client.balance == 0 and ledger_breaches() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_debits_that_fit_the_credit_limit_only_one_at_a_time_post_one():
    client = client_create(actor=None, data=client_data(currency="USD", credit_limit="100.00"))
    manual_transaction_create(actor=None, client_id=client.pk, amount="0.0001", description="Top-up")
    outcomes = _at_once(*(lambda: manual_transaction_create(actor=None, client_id=client.pk, amount="-60.00",
                                                            description="Migration") for _ in range(2)))
    assert sorted(outcomes) == ["InsufficientFunds", "done"]
    client.refresh_from_db()
    assert client.balance == Decimal("-59.9999") and ledger_breaches() == []
    # At the limit to the last 1/10,000: exactly balance + limit is still covered, a unit more is not.
    manual_transaction_create(actor=None, client_id=client.pk, amount="-40.0001", description="Rest")
    with pytest.raises(InsufficientFunds):
        manual_transaction_create(actor=None, client_id=client.pk, amount="-0.0001", description="Beyond")
    assert Client.objects.get(pk=client.pk).balance == Decimal("-100.0000")


# --- tax rates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [("25.5", "25.500"), ("25.5000", "25.500"), ("5.50", "5.500"),
                                           ("9.975", "9.975"), ("0", "0.000"), ("0.0000", "0.000")])
def test_a_rate_is_taken_with_trailing_zeros_as_amounts_are(typed, stored):
    company = default_home_company()
    rule = tax_rule_save(actor=None, company_id=company.pk, data={"country": "FI", "tax1_name": "ALV",
                                                                  "tax1_rate": typed})
    assert str(rule.tax1_rate) == stored


def test_a_rate_finer_than_three_decimals_is_still_refused():
    with pytest.raises(ValidationFailed) as refused:
        tax_rule_save(actor=None, company_id=default_home_company().pk,
                      data={"country": "FI", "tax1_name": "ALV", "tax1_rate": "25.5001"})
    assert refused.value.fields["tax1_rate"] == ["At most 3 decimal places."]


# --- currencies of 0, 3 and 4 decimals through the services -----------------------------------

class _Rollback(Exception):
    """Leaves each example's writes behind in a rolled-back savepoint."""


@pytest.mark.parametrize("currency", ["JPY", "KWD", "CLF"])
def test_payments_and_credit_notes_in_any_minor_unit_keep_every_money_rule(yen, settings, currency):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "CLF"]
    unit = Decimal(1).scaleb(-currency_minor_unit(currency))
    nets = st.decimals(min_value=unit, max_value=Decimal("50000"), places=currency_minor_unit(currency))
    shares = st.lists(st.integers(min_value=1, max_value=10_000), max_size=5)  # parts per 10,000 of what is left

    @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rates=st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("27"), places=3), min_size=1,
                          max_size=3),
           lines=st.lists(st.tuples(nets, st.booleans()), min_size=1, max_size=3), payments=shares, refunds=shares)
    def example(rates, lines, payments, refunds):
        try:
            with transaction.atomic():
                _pay_and_refund_all(currency, unit, rates, lines, payments, refunds)
                raise _Rollback
        except _Rollback:
            pass

    example()


def _pay_and_refund_all(currency, unit, rates, lines, payments, refunds):
    company = default_home_company()
    TaxRule.objects.filter(home_company=company).delete()
    rule = {"country": "", "region": ""}
    for n, rate in enumerate(rates, start=1):
        rule |= {f"tax{n}_name": f"T{n}", f"tax{n}_rate": str(rate)}
    tax_rule_save(actor=None, company_id=company.pk, data=rule)
    client = client_create(actor=None, data=client_data(currency=currency))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": None if topup else "Work", "quantity": "1", "unit_price": str(net), "is_topup": topup}
        for net, topup in lines])
    for share in payments:
        proforma.refresh_from_db()
        gross = ((proforma.total - proforma.paid_gross) * share / 10_000).quantize(unit)
        if unit <= gross < proforma.total - proforma.paid_gross:
            try:
                proforma_pay(actor=None, document_id=proforma.pk, amount=str(gross))
            except ValidationFailed:  # a last 1/10,000 that has no net left (four decimals only)
                assert currency == "CLF"
    proforma.refresh_from_db()
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total - proforma.paid_gross))
    proforma.refresh_from_db()
    nets = list(Payment.objects.filter(document=proforma).values_list("net", flat=True))
    assert proforma.status == DocumentStatus.INVOICED and sum(nets) == proforma.net and all(n > 0 for n in nets)
    invoice = proforma.related
    for share in refunds:
        invoice.refresh_from_db()
        net = ((invoice.net - invoice.refunded_net) * share / 10_000).quantize(unit)
        if unit <= net < invoice.net - invoice.refunded_net:
            credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=str(net))
    invoice.refresh_from_db()
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=str(invoice.net - invoice.refunded_net))
    notes = Document.objects.filter(related=invoice, type=DocumentType.CREDIT_NOTE)
    for position, line in enumerate(invoice.tax_lines):  # per rate, exactly the tax invoiced went back
        assert -sum(Decimal(note.tax_lines[position]["amount"]) for note in notes) == Decimal(line["amount"])
    assert -sum(note.total for note in notes) == invoice.total
    client.refresh_from_db()
    assert client.balance == 0 and ledger_breaches(client_id=client.pk) == []


# --- refusals name money as the pages write it --------------------------------------------------

@pytest.mark.parametrize("language, words", [
    ("en", "Not enough funds: balance PLN\u00a00.00 + credit limit PLN\u00a01,000.50 do not cover "
           "PLN\u00a02,000.00."),
    ("pl", "Brak wystarczających środków: saldo 0,00\u00a0zł + limit kredytowy 1\u00a0000,50\u00a0zł nie "
           "pokrywają kwoty 2\u00a0000,00\u00a0zł."),
])
def test_a_debit_beyond_the_credit_limit_names_the_amounts_in_the_readers_language(language, words):
    client = client_create(actor=None, data=client_data(currency="PLN", credit_limit="1000.50"))
    with translation.override(language), pytest.raises(InsufficientFunds) as refused:
        manual_transaction_create(actor=None, client_id=client.pk, amount="-2000", description="Migration")
    assert str(refused.value.message) == words
    assert not LedgerEntry.objects.filter(client=client).exists()


def test_a_transaction_id_used_before_names_the_entry_in_the_readers_language():
    client = client_create(actor=None, data=client_data(currency="PLN"))
    manual_transaction_create(actor=None, client_id=client.pk, amount="1234.5", transaction_id="wire-7",
                              description="Wire")
    with pytest.raises(TransactionIdUsed) as refused:
        manual_transaction_create(actor=None, client_id=client.pk, amount="99", transaction_id="wire-7",
                                  description="Wire")
    assert "(adjustment PLN\u00a01,234.50, " in str(refused.value.message)


# --- the paid date of a proforma paid in parts -----------------------------------------------------

def test_a_proforma_paid_in_parts_is_paid_when_its_last_money_arrived_not_its_last_record():
    client = _gst_qst_client()
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Migration work", "quantity": "1", "unit_price": "100.00"}])  # 114.98 with GST + QST
    issued = proforma.issue_date
    later = timezone.now()
    proforma_pay(actor=None, document_id=proforma.pk, amount="14.98", paid_at=later)
    # The transfer that arrived first is recorded last (a bank statement read out of order).
    proforma_pay(actor=None, document_id=proforma.pk, amount="100.00", paid_at=issued)
    proforma.refresh_from_db()
    invoice = proforma.related
    assert Payment.objects.filter(document=proforma).count() == 2
    assert proforma.paid_date == invoice.paid_date == later  # fully paid only once 14.98 came too


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ledger_post_waits_while_a_change_of_currency_is_decided(monkeypatch):
    # The change checked that the client had no ledger entry; a post landing before it commits would
    # leave a USD entry on a client now in EUR. The post must wait for the change (here: give up).
    from clientpanel.clients.services import clients as client_services

    client = client_create(actor=None, data=client_data(currency="USD"))
    checked, posted = threading.Event(), []
    original = client_services._has_money_history

    def checked_then_wait(locked_client):
        answer = original(locked_client)
        checked.set()
        deadline = time.monotonic() + 5
        while not posted and time.monotonic() < deadline:
            time.sleep(0.05)
        return answer

    monkeypatch.setattr(client_services, "_has_money_history", checked_then_wait)

    def post():
        checked.wait(5)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                manual_transaction_create(actor=None, client_id=client.pk, amount="100", description="Top-up")
            posted.append("posted")
        except DatabaseError:
            posted.append("waited")
        finally:
            connection.close()

    poster = threading.Thread(target=post)
    poster.start()
    client_update(actor=None, client_id=client.pk, data={"currency": "EUR"})
    poster.join()
    assert posted == ["waited"]
    assert Client.objects.get(pk=client.pk).currency == "EUR" and not LedgerEntry.objects.filter(client=client).exists()
    assert ledger_breaches() == []


def test_a_four_decimal_proforma_refuses_a_last_part_that_has_no_net_and_takes_the_rest_at_once(yen, settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "CLF"]
    tax_rule_save(actor=None, company_id=default_home_company().pk, data={"country": "", "region": "",
                                                                          "tax1_name": "IVA", "tax1_rate": "19"})
    client = client_create(actor=None, data=client_data(currency="CLF"))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[{"description": None, "unit_price": "100",
                                                                       "is_topup": True}])
    assert proforma.total == Decimal("119")
    first = proforma_pay(actor=None, document_id=proforma.pk, amount="59.50").payment
    assert first.net == Decimal("50.0000")  # its own share: 59.50 / 1.19, not 40.50
    proforma_pay(actor=None, document_id=proforma.pk, amount="59.4990")  # 0.0010 left, with 0.0009 of net
    for _ in range(8):
        proforma_pay(actor=None, document_id=proforma.pk, amount="0.0001")
    with pytest.raises(ValidationFailed) as refused:  # the ninth would take the last 1/10,000 of net
        proforma_pay(actor=None, document_id=proforma.pk, amount="0.0001")
    assert refused.value.fields == {"amount": ["Pay the CLF\u00a00.0002 due at once."]}
    proforma_pay(actor=None, document_id=proforma.pk, amount="0.0002")
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED and proforma.paid_net == Decimal("100")
    assert Client.objects.get(pk=client.pk).balance == Decimal("100") and ledger_breaches() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_transaction_id_sent_at_once_with_two_amounts_records_one_and_names_it_to_the_other():
    client = _gst_qst_client()
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": None, "quantity": "1", "unit_price": "100.00", "is_topup": True}])  # 114.98
    outcomes = _at_once(*(lambda amount=amount: proforma_pay(actor=None, document_id=proforma.pk, amount=amount,
                                                             transaction_id="wire-77")
                          for amount in ("20.00", "30.00")))
    assert sorted(outcomes) == ["TransactionIdUsed", "done"]
    payment = Payment.objects.get(document=proforma)
    proforma.refresh_from_db()
    assert proforma.paid_gross == payment.gross and proforma.paid_net == payment.net
    assert LedgerEntry.objects.filter(client=client).count() == 1 and ledger_breaches() == []
