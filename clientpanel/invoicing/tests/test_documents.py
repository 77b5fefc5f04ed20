"""Proformas, payments, final invoices, credit notes and numbering (SPEC §6–§7)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.invoicing.calculations import (
    credit_note_tax_lines,
    credit_note_totals,
    document_totals,
    payment_net,
)
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.selectors import amount_owing
from clientpanel.invoicing.services import (
    credit_note_issue,
    document_number,
    proforma_add_funds,
    proforma_cancel,
    proforma_issue,
    proforma_pay,
)
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches, paid_to_date
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def polish_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "PUQ sp. z o.o.", "country": "PL", "eu_vat_id": "PL5260250995", "topup_item_name": "Doładowanie konta",
        "invoice_pattern": "FAKTURA/{YEAR}/{MONTH}/{NUMBER}",
        "credit_note_pattern": "NATA-KREDYTOWA/{YEAR}/{MONTH}/{NUMBER}"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return HomeCompany.objects.get(pk=company.pk)


@pytest.fixture
def polish_client(polish_company):
    return client_create(actor=None, data=client_data(currency="USD", company_name="My company name",
                                                      tax_id="PL5260250995"))


def test_add_funds_proforma_is_issued_numbered_and_taxed(polish_client):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="150.00")
    today = timezone.localdate()
    assert proforma.number == f"PROFORMA/{today:%Y}/{today:%m}/1"
    assert (proforma.status, proforma.net, proforma.tax, proforma.total) == (
        "UNPAID", Decimal("150"), Decimal("34.50"), Decimal("184.50"))
    assert proforma.tax_lines == [{"name": "VAT", "rate": "23.000", "amount": "34.50"}]
    assert proforma.items.get().description == "Doładowanie konta"
    assert proforma.due_date - proforma.issue_date == dt.timedelta(days=7)
    assert proforma.company_snapshot["name"] == "PUQ sp. z o.o."
    assert amount_owing(client=polish_client) == Decimal("184.50")


def test_full_payment_issues_the_invoice_and_credits_the_net_once(polish_client):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="150.00")
    first = proforma_pay(actor=None, document_id=proforma.pk, amount="184.50", transaction_id="pay-1")
    again = proforma_pay(actor=None, document_id=proforma.pk, amount="184.50", transaction_id="pay-1")
    assert again.payment.pk == first.payment.pk and (first.created, again.created) == (True, False)
    proforma.refresh_from_db()
    invoice = proforma.related
    today = timezone.localdate()
    assert (proforma.status, invoice.status, invoice.type) == ("INVOICED", "PAID", "INVOICE")
    assert invoice.number == f"FAKTURA/{today:%Y}/{today:%m}/1"
    polish_client.refresh_from_db()
    assert polish_client.balance == Decimal("150.0000")
    entry = LedgerEntry.objects.get(client=polish_client)
    assert (entry.type, entry.gross, entry.net) == ("PAYMENT", Decimal("184.50"), Decimal("150.0000"))
    assert paid_to_date(client=polish_client) == Decimal("184.50")
    assert amount_owing(client=polish_client) == Decimal("0")
    assert ledger_breaches() == []


def test_partial_payments_split_the_net_and_the_last_takes_the_rest(polish_client):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="100.00")  # total 123.00
    proforma_pay(actor=None, document_id=proforma.pk, amount="10.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="10.00")
    proforma.refresh_from_db()
    assert proforma.status == "UNPAID" and proforma.amount_due == Decimal("103.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="103.00")
    nets = list(Payment.objects.filter(document=proforma).values_list("net", flat=True))
    assert nets[:2] == [Decimal("8.1301"), Decimal("8.1301")] and sum(nets) == Decimal("100")
    with pytest.raises(Conflict, match="is invoiced; it takes no payment"):
        proforma_pay(actor=None, document_id=proforma.pk, amount="1.00")


@pytest.mark.parametrize("amount, message", [
    ("0", "more than zero"), ("-5", "more than zero"), ("1.001", "at most 2 decimal places"),
    ("abc", "number"), ("999999999999999", "too large"), ("200.00", "Overpayment: $123.00 is due."),
])
def test_bad_payments_write_nothing(polish_client, amount, message):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="100")
    with pytest.raises(ValidationFailed) as failure:
        proforma_pay(actor=None, document_id=proforma.pk, amount=amount)
    assert message in str(failure.value.message) + " ".join(failure.value.fields.get("amount", []))
    assert not LedgerEntry.objects.exists() and not Payment.objects.exists()


def test_cancelled_proforma_takes_no_payment(polish_client):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="10")
    proforma_cancel(actor=None, document_id=proforma.pk)
    with pytest.raises(Conflict, match="is cancelled; it takes no payment"):
        proforma_pay(actor=None, document_id=proforma.pk, amount="12.30")
    again = proforma_cancel(actor=None, document_id=proforma.pk)  # the same cancel twice: cancelled once
    assert again.status == DocumentStatus.CANCELLED


def test_add_funds_refuses_more_decimals_than_the_currency(polish_client):
    with pytest.raises(ValidationFailed) as failure:
        proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="10.005")
    assert "USD amounts have at most 2 decimal places" in failure.value.fields["net_amount"][0]
    assert not Document.objects.exists()


def test_arbitrary_items_charge_non_topups_when_paid(polish_client):
    proforma = proforma_issue(actor=None, client_id=polish_client.pk, items=[
        {"description": "Setup work", "quantity": "2", "unit_price": "25.00"},
        {"description": None, "quantity": "1", "unit_price": "50.00", "is_topup": True}])
    assert (proforma.net, proforma.total) == (Decimal("100"), Decimal("123"))
    proforma_pay(actor=None, document_id=proforma.pk, amount="123.00")
    polish_client.refresh_from_db()
    assert polish_client.balance == Decimal("50")  # only the top-up stays on the balance
    types = list(LedgerEntry.objects.filter(client=polish_client).order_by("sequence").values_list("type", "net"))
    assert types == [("PAYMENT", Decimal("100")), ("CHARGE", Decimal("-50"))]


def test_credit_note_refunds_with_the_invoice_rates(polish_client, polish_company):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="150")
    proforma_pay(actor=None, document_id=proforma.pk, amount="184.50")
    invoice = Document.objects.get(type=DocumentType.INVOICE)
    # Today's rules changing must not touch the refund of an earlier invoice.
    tax_rule_save(actor=None, company_id=polish_company.pk, rule_id=polish_company.tax_rules.get().pk,
                  data={"tax1_rate": "8"})
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20.00").note
    today = timezone.localdate()
    assert note.number == f"NATA-KREDYTOWA/{today:%Y}/{today:%m}/1"
    assert (note.net, note.tax, note.total) == (Decimal("-20"), Decimal("-4.60"), Decimal("-24.60"))
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.PARTIALLY_REFUNDED and note.related == invoice
    refund = LedgerEntry.objects.get(type=EntryType.REFUND)
    assert (refund.net, refund.gross) == (Decimal("-20"), Decimal("-24.60"))
    with pytest.raises(ValidationFailed, match=r"At most \$130\.00 net can"):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="130.01")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="130.00")
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.REFUNDED
    assert paid_to_date(client=polish_client) == Decimal("184.50") - Decimal("24.60") - Decimal("159.90")
    with pytest.raises(Conflict):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="1")


def test_reverse_charge_for_a_vies_valid_company_of_another_member_state(polish_company):
    german = client_create(actor=None, data=client_data(company_name="GmbH", tax_id="DE136695976",
                                                        billing_address={"country": "DE", "region": ""}))
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "DE", "tax1_name": "VAT",
                                                                   "tax1_rate": "19"})
    assert proforma_add_funds(actor=None, client_id=german.pk, net_amount="100").tax == Decimal("19")
    Client.objects.filter(pk=german.pk).update(vies_status="VALID")
    proforma = proforma_add_funds(actor=None, client_id=german.pk, net_amount="100")
    assert (proforma.reverse_charge, proforma.tax, proforma.total) == (True, Decimal("0"), Decimal("100"))


def test_numbering_resets_monthly_by_default(polish_client, monkeypatch):
    company = HomeCompany.objects.get(is_default=True)
    from django.db import transaction

    def number_on(day):
        monkeypatch.setattr(timezone, "now", lambda: dt.datetime(*day, tzinfo=dt.UTC))
        return document_number(company=company, doc_type="PROFORMA")[0]

    with transaction.atomic():
        nov, nov2, dec = number_on((2026, 11, 30)), number_on((2026, 11, 30)), number_on((2026, 12, 1))
    assert (nov, nov2, dec) == ("PROFORMA/2026/11/1", "PROFORMA/2026/11/2", "PROFORMA/2026/12/1")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2), min_size=1,
                max_size=8),
       st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("30"), places=3), max_size=3))
def test_totals_are_tax_per_rate_on_the_net_sum(nets, rates):
    taxes = [(f"T{i}", r) for i, r in enumerate(rates)]
    totals = document_totals(nets, taxes, "USD")
    assert totals.net == sum(nets)
    assert all(line.amount == (totals.net * line.rate / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
               for line in totals.tax_lines)
    assert totals.total == totals.net + sum(line.amount for line in totals.tax_lines)
    whole = credit_note_tax_lines(invoiced=list(totals.tax_lines), refunded_net_after=totals.net,
                                  invoice_net=totals.net, refunded_tax_before=[], currency="USD")
    note = credit_note_totals(totals.net, whole)
    assert (note.net, note.tax, note.total) == (-totals.net, -totals.tax, -totals.total)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("1"), max_value=Decimal("10000"), places=2),
       st.decimals(min_value=Decimal("0"), max_value=Decimal("30"), places=3),
       st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=6))
def test_payment_nets_always_add_up_to_the_document_net(net, rate, percents):
    totals = document_totals([net], [("VAT", rate)], "USD")
    remaining_gross, remaining_net, nets = totals.total, totals.net, []
    for percent in percents:
        gross = (remaining_gross * percent / 100).quantize(Decimal("0.01"))
        if gross <= 0 or gross >= remaining_gross:
            continue
        part = payment_net(gross=gross, total_rate=rate, remaining_gross=remaining_gross, remaining_net=remaining_net)
        nets.append(part)
        remaining_gross -= gross
        remaining_net -= part
    nets.append(payment_net(gross=remaining_gross, total_rate=rate, remaining_gross=remaining_gross,
                            remaining_net=remaining_net))
    assert sum(nets) == totals.net and all(n >= 0 for n in nets)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_writers_issue_unique_gap_free_ordered_numbers(polish_company):
    clients = [client_create(actor=None, data=client_data()) for _ in range(8)]
    errors = []

    def writer(client):
        try:
            for _ in range(10):
                proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    docs = list(Document.objects.order_by("created_at", "number").values_list("number", flat=True))
    numbers = sorted(int(n.rsplit("/", 1)[1]) for n in docs)
    assert numbers == list(range(1, 81))
    by_time = [int(n.rsplit("/", 1)[1]) for n in Document.objects.order_by("issue_date").values_list("number",
                                                                                                    flat=True)]
    assert by_time == sorted(by_time)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_payment_recorded_twice_at_once_posts_once(polish_company):
    client = client_create(actor=None, data=client_data())
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="150")
    results, errors = [], []

    def pay():
        try:
            results.append(proforma_pay(actor=None, document_id=proforma.pk, amount="184.50",
                                        transaction_id="gateway-42").payment.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1
    client.refresh_from_db()
    assert client.balance == Decimal("150") and Document.objects.filter(type="INVOICE").count() == 1


def test_pdf_has_company_client_items_taxes_totals_and_polish_letters(polish_client):
    import io

    from pypdf import PdfReader

    from clientpanel.invoicing.pdf import document_pdf
    from clientpanel.invoicing.storage import documents_zip

    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="150.00")
    text = PdfReader(io.BytesIO(document_pdf(proforma))).pages[0].extract_text()
    for expected in ["Proforma invoice", proforma.number, "PUQ sp. z o.o.", "My company name", "PL5260250995",
                     "Doładowanie konta", "VAT 23%", "$34.50", "$184.50"]:
        assert expected in text, expected
    polish_client.language = "pl"
    Client.objects.filter(pk=polish_client.pk).update(language="pl")
    polish = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="10.00")
    text = PdfReader(io.BytesIO(document_pdf(polish))).pages[0].extract_text()
    assert "Faktura proforma" in text and "Termin płatności" in text
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(documents_zip([proforma, polish])))
    assert sorted(archive.namelist()) == sorted(f"{d.number.replace('/', '-')}.pdf" for d in [proforma, polish])


def test_reverse_charge_note_is_on_the_pdf(polish_company):
    import io

    from pypdf import PdfReader

    from clientpanel.invoicing.pdf import document_pdf

    german = client_create(actor=None, data=client_data(company_name="GmbH", tax_id="DE136695976",
                                                        billing_address={"country": "DE", "region": ""}))
    Client.objects.filter(pk=german.pk).update(vies_status="VALID")
    proforma = proforma_add_funds(actor=None, client_id=german.pk, net_amount="100")
    assert "Reverse charge" in PdfReader(io.BytesIO(document_pdf(proforma))).pages[0].extract_text()


def test_currency_is_locked_after_the_first_issued_document(polish_client):
    from clientpanel.clients.services import client_update

    proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="10")
    with pytest.raises(ValidationFailed) as failure:
        client_update(actor=None, client_id=polish_client.pk, data={"currency": "EUR"})
    assert "stays USD" in failure.value.fields["currency"][0]
