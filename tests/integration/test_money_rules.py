"""The money rules an accountant's audit broke (issue 8), each tested as a rule with figures of
its own, on SQLite and PostgreSQL (and concurrently on PostgreSQL where concurrency matters)."""

import datetime as dt
import hashlib
import re
import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_update
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.invoicing.models import Document, DocumentItem, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import (
    credit_note_issue,
    document_number,
    proforma_add_funds,
    proforma_cancel,
    proforma_issue,
    proforma_pay,
)
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.ledger.models import LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import TransactionIdUsed, manual_transaction_create
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


def company_with_taxes(*rates: tuple[str, str], country="CA", region="", **fields) -> HomeCompany:
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "Home Co", "country": country, **fields})
    data = {"country": country, "region": region}
    for n, (name, rate) in enumerate(rates, start=1):
        data |= {f"tax{n}_name": name, f"tax{n}_rate": rate}
    tax_rule_save(actor=None, company_id=company.pk, data=data)
    return HomeCompany.objects.get(pk=company.pk)


def new_client(country="CA", region="BC", currency="CAD", **extra) -> Client:
    return client_create(actor=None, data=client_data(currency=currency, billing_address={"country": country,
                                                                                           "region": region},
                                                      **extra))


def paid_invoice(client: Client, items) -> Document:
    proforma = proforma_issue(actor=None, client_id=client.pk, items=items)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    return proforma.related


# --- 2. the last cent of a payment -------------------------------------------------------------

@pytest.mark.parametrize("net, first_payment", [
    ("0.50", "0.56"),      # GST 0.025→0.03, PST 0.035→0.04: total 0.57 while net × 1.12 = 0.56
    ("10.50", "11.76"),    # GST 0.525→0.53, PST 0.735→0.74: total 11.77 while net × 1.12 = 11.76
    ("2500.50", "2800.56"),
])
def test_partial_payments_never_take_the_whole_net_while_gross_is_due(net, first_payment):
    company_with_taxes(("GST", "5"), ("PST", "7"), region="BC")
    client = new_client()
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
    assert proforma.total == Decimal(first_payment) + Decimal("0.01")
    proforma_pay(actor=None, document_id=proforma.pk, amount=first_payment)
    proforma.refresh_from_db()
    assert proforma.paid_net < proforma.net  # net is left for the cent still due
    with pytest.raises(Conflict, match="Confirm that amount"):  # partly paid: cancelled only when confirmed
        proforma_cancel(actor=None, document_id=proforma.pk)
    proforma_pay(actor=None, document_id=proforma.pk, amount="0.01")  # the settling cent posts
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED
    assert sum(Payment.objects.filter(document=proforma).values_list("net", flat=True)) == proforma.net
    client.refresh_from_db()
    assert client.balance == proforma.net and ledger_breaches() == []


def test_a_proforma_can_be_paid_one_cent_at_a_time():
    company_with_taxes(("GST", "5"), ("PST", "7"), region="BC")
    client = new_client()
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="0.50")  # total 0.57
    for _ in range(57):
        proforma_pay(actor=None, document_id=proforma.pk, amount="0.01")
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED and proforma.paid_net == Decimal("0.50")
    assert all(p.net > 0 for p in Payment.objects.filter(document=proforma))


# --- 3, 4. numbered and dated when issued -----------------------------------------------------

def test_the_final_invoice_is_dated_when_issued_and_the_payment_keeps_its_own_date():
    company_with_taxes(("VAT", "23"), country="PL")
    client = new_client(country="PL", region="", currency="PLN")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    paid_at = proforma.issue_date + dt.timedelta(microseconds=1)
    before = timezone.now()
    proforma_pay(actor=None, document_id=proforma.pk, amount="123.00", paid_at=paid_at)
    invoice = Document.objects.get(type=DocumentType.INVOICE)
    assert invoice.issue_date >= before > paid_at  # today's date, not the payment's
    assert invoice.paid_date == paid_at and Payment.objects.get().paid_at == paid_at
    today = timezone.localtime(invoice.issue_date, invoice.home_company.zone)
    assert invoice.number == f"INV/{today:%Y}/{today:%m}/1"


@pytest.mark.parametrize("shift, message", [
    (dt.timedelta(seconds=30), "cannot be in the future"),
    (dt.timedelta(days=400), "cannot be in the future"),
])
def test_a_payment_dated_in_the_future_is_refused(shift, message):
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    with pytest.raises(ValidationFailed) as failure:
        proforma_pay(actor=None, document_id=proforma.pk, amount="10.50", paid_at=timezone.now() + shift)
    assert message in failure.value.fields["paid_at"][0]
    assert not Payment.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.parametrize("when", [dt.datetime(1999, 1, 1, tzinfo=dt.UTC), "before-issue"])
def test_a_payment_dated_before_its_proforma_was_issued_is_refused(when):
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    paid_at = proforma.issue_date - dt.timedelta(seconds=1) if when == "before-issue" else when
    with pytest.raises(ValidationFailed) as failure:
        proforma_pay(actor=None, document_id=proforma.pk, amount="10.50", paid_at=paid_at)
    assert "cannot be earlier" in failure.value.fields["paid_at"][0]
    # The issue time named with its zone (the company's need not be the reader's), to the second,
    # as people read times (no ISO offset).
    issued = timezone.localtime(proforma.issue_date, proforma.zone)
    assert f"issued on {issued:%Y-%m-%d %H:%M:%S} ({proforma.zone.key});" in failure.value.fields["paid_at"][0]
    assert not Document.objects.filter(type=DocumentType.INVOICE).exists()


def test_a_payment_time_without_an_offset_is_refused():
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    with pytest.raises(ValidationFailed) as failure:
        proforma_pay(actor=None, document_id=proforma.pk, amount="10.50", paid_at=dt.datetime(2026, 11, 22, 10))
    assert "time zone offset" in failure.value.fields["paid_at"][0]


def test_a_payment_time_without_an_offset_answers_422_in_the_api(api):
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    for paid_at in ["2026-11-22T10:00:00", "2026-11-22 10:00", "not a date", "2026-13-45T99:00:00Z"]:
        response = api.post(f"/invoices/{proforma.pk}/payments", {"amount": "10.50", "paid_at": paid_at})
        assert response.status_code == 422, (paid_at, response.content)
        assert "paid_at" in response.json()["error"]["fields"]
    assert not Payment.objects.exists()


def test_numbering_periods_follow_the_home_company_time_zone(monkeypatch):
    """00:30 on 1 December in Warsaw is still 30 November in UTC: the invoice belongs to December."""
    company = company_with_taxes(("VAT", "23"), country="PL", time_zone="Europe/Warsaw",
                                 invoice_pattern="FAKTURA/{YEAR}/{MONTH}/{DAY}/{NUMBER}")
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC))
    with transaction.atomic():
        number, issued_at = document_number(company=company, doc_type=DocumentType.INVOICE)
    assert number == "FAKTURA/2026/12/01/1" and issued_at == dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    company.time_zone = "America/Toronto"  # 18:30 on 30 November there
    with transaction.atomic():
        assert document_number(company=company, doc_type=DocumentType.INVOICE)[0] == "FAKTURA/2026/11/30/1"


def test_an_unknown_time_zone_is_a_field_error():
    company = default_home_company()
    with pytest.raises(ValidationFailed) as failure:
        home_company_save(actor=None, company_id=company.pk, data={"time_zone": "Europe/Atlantis"})
    assert "Unknown time zone" in failure.value.fields["time_zone"][0]


def test_the_month_changing_while_the_counter_is_taken_moves_the_number_to_the_new_month(monkeypatch):
    """The clock read before the counter lock and the clock read under it may fall in different
    months; the number follows the moment under the lock."""
    company = company_with_taxes(("VAT", "23"), country="PL")
    moments = iter([dt.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
                    dt.datetime(2026, 12, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
                    dt.datetime(2026, 12, 1, 0, 0, 0, 2, tzinfo=dt.UTC)])
    monkeypatch.setattr(timezone, "now", lambda: next(moments))
    with transaction.atomic():
        number, issued_at = document_number(company=company, doc_type=DocumentType.PROFORMA)
    assert number == "PROFORMA/2026/12/1" and issued_at.month == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_payers_get_invoice_numbers_in_issue_order():
    company_with_taxes(("VAT", "23"), country="PL")
    clients = [new_client(country="PL", region="", currency="PLN") for _ in range(8)]
    proformas = [[proforma_add_funds(actor=None, client_id=c.pk, net_amount=str(10 + n)) for n in range(4)]
                 for c in clients]
    errors = []

    def payer(documents):
        try:
            for document in documents:
                # Backdated to the proforma's issue: the invoice must still be dated and numbered now.
                proforma_pay(actor=None, document_id=document.pk, amount=str(document.total),
                             paid_at=document.issue_date)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=payer, args=(docs,)) for docs in proformas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    invoices = list(Document.objects.filter(type=DocumentType.INVOICE).order_by("issue_date", "created_at"))
    numbers = [int(i.number.rsplit("/", 1)[1]) for i in invoices]
    assert numbers == list(range(1, 33))  # gap-free and rising with the issue time
    for invoice in invoices:
        proforma = Document.objects.get(related=invoice, type=DocumentType.PROFORMA)
        assert invoice.issue_date >= proforma.issue_date and invoice.issue_date >= invoice.paid_date


# --- 5. credit notes and tax ---------------------------------------------------------------------

@pytest.mark.parametrize("net, rates, notes", [
    ("10.00", [("VAT", "23")], ["0.25"] * 40),
    ("10.01", [("GST", "5"), ("QST", "9.975")], ["1.43"] * 7),
    ("99.99", [("A", "7"), ("B", "8"), ("C", "2.5")], ["0.33"] * 303),
])
def test_credit_notes_never_refund_more_tax_than_was_invoiced(net, rates, notes):
    company = company_with_taxes(*rates, region="")
    client = new_client(region="ON")
    invoice = paid_invoice(client, [{"description": None, "quantity": "1", "unit_price": net, "is_topup": True}])
    invoiced = {t["name"]: Decimal(t["amount"]) for t in invoice.tax_lines}
    for amount in notes:
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=amount)
        refunded = {}
        for note in Document.objects.filter(type=DocumentType.CREDIT_NOTE):
            for line in note.tax_lines:
                refunded[line["name"]] = refunded.get(line["name"], Decimal(0)) - Decimal(line["amount"])
        assert all(refunded[name] <= invoiced[name] for name in invoiced)
    rest = Decimal(net) - sum(Decimal(n) for n in notes)
    if rest:
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=str(rest))
    notes_total = Document.objects.filter(type=DocumentType.CREDIT_NOTE)
    assert -sum(n.tax for n in notes_total) == invoice.tax and -sum(n.total for n in notes_total) == invoice.total
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.REFUNDED
    assert company.pk == invoice.home_company_id and ledger_breaches() == []


# --- 6. refunds of charged items -----------------------------------------------------------------

def test_refunding_charged_items_reverses_their_charge():
    company_with_taxes(("VAT", "23"), country="PL")
    client = new_client(country="PL", region="", currency="PLN")
    invoice = paid_invoice(client, [{"description": "Setup work", "quantity": "1", "unit_price": "100.00"}])
    client.refresh_from_db()
    assert client.balance == 0
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="40.00")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="60.00")
    client.refresh_from_db()
    assert client.balance == 0  # the money went back and so did the charge
    types = list(LedgerEntry.objects.filter(client=client).order_by("sequence").values_list("type", "net"))
    assert types == [("PAYMENT", Decimal("100")), ("CHARGE", Decimal("-100")), ("REFUND", Decimal("-40")),
                     ("ADJUSTMENT", Decimal("40")), ("REFUND", Decimal("-60")), ("ADJUSTMENT", Decimal("60"))]
    assert ledger_breaches() == []


def test_a_refund_takes_charged_items_first_and_top_ups_last():
    company_with_taxes(("VAT", "23"), country="PL")
    client = new_client(country="PL", region="", currency="PLN")
    invoice = paid_invoice(client, [{"description": "Domain", "quantity": "2", "unit_price": "15.00"},
                                    {"description": None, "quantity": "1", "unit_price": "50.00", "is_topup": True}])
    client.refresh_from_db()
    assert client.balance == Decimal("50")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="45.00")  # 30 of items, then 15 of top-up
    client.refresh_from_db()
    assert client.balance == Decimal("35")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="35.00")
    client.refresh_from_db()
    assert client.balance == 0  # where it stood before anything was bought


# --- 7. transaction IDs ----------------------------------------------------------------------------

def test_a_transaction_id_replays_only_the_same_entry(api):
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    path = f"/clients/{client.pk}/transactions"
    first = api.post(path, {"amount": "10.00", "transaction_id": "bank-77", "description": "Wire"})
    assert first.status_code == 201
    again = api.post(path, {"amount": "10.0000", "transaction_id": "bank-77", "description": "Wire"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = api.post(path, {"amount": "-10.00", "transaction_id": "bank-77", "description": "Wire"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "transaction_id_used"
    assert "entry #1" in other.json()["error"]["message"]
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    paid = api.post(f"/invoices/{proforma.pk}/payments", {"amount": "10.50", "transaction_id": "bank-77"})
    assert paid.status_code == 409 and "entry #1" in paid.json()["error"]["message"]
    assert LedgerEntry.objects.filter(client=client).count() == 1 and not Payment.objects.exists()


def test_a_payment_replayed_with_another_amount_is_a_conflict():
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="100")
    first = proforma_pay(actor=None, document_id=proforma.pk, amount="5.00", transaction_id="gw-1")
    assert proforma_pay(actor=None, document_id=proforma.pk, amount="5.00", transaction_id="gw-1").created is False
    with pytest.raises(TransactionIdUsed, match=f"entry #{first.entry_sequence}"):
        proforma_pay(actor=None, document_id=proforma.pk, amount="6.00", transaction_id="gw-1")
    with pytest.raises(TransactionIdUsed):
        manual_transaction_create(actor=None, client_id=proforma.client_id, amount="5.00", transaction_id="gw-1",
                                  description="Same ID")
    assert Payment.objects.count() == 1


def test_a_credit_note_replayed_answers_the_same_note_and_another_amount_conflicts():
    company_with_taxes(("GST", "5"), region="BC")
    invoice = paid_invoice(new_client(), [{"description": None, "quantity": "1", "unit_price": "50",
                                           "is_topup": True}])
    first = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5", transaction_id="rf-1")
    again = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5.00", transaction_id="rf-1")
    assert (again.created, again.note.pk) == (False, first.note.pk)
    with pytest.raises(TransactionIdUsed):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="6", transaction_id="rf-1")
    assert Document.objects.filter(type=DocumentType.CREDIT_NOTE).count() == 1


def test_a_repeated_payment_in_the_panel_says_nothing_new_was_posted(staff_client):
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="100")
    url = f"/staff/documents/{proforma.pk}/pay/"
    form = {"amount": "10.00", "transaction_id": "tx-55", "method": "Bank transfer"}
    assert "Payment of CA$10.00 recorded." in staff_client.post(url, form, follow=True).content.decode()
    page = staff_client.post(url, form, follow=True).content.decode()
    entry = LedgerEntry.objects.get(transaction_id="tx-55")
    assert f"already recorded on {entry.created_at:%Y-%m-%d} (entry #{entry.sequence}); nothing new was posted" \
        in page
    assert "Payment of CA$10.00 recorded." not in page
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("form_name, extra", [
    ("pay", {"amount": "10.00", "method": "Bank transfer"}),
    ("credit-note", {"net_amount": "5.00", "reason": "Goodwill"}),
    ("transaction", {"amount": "3.00", "description": "Goodwill credit"}),
])
def test_a_money_form_sent_twice_records_once(staff_client, form_name, extra):
    """A double click sends the form as it was shown twice, without a transaction ID to tell: the
    one-time key it was shown with is taken by the first, and the second records nothing; a form
    shown again (a new key) records again."""
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    if form_name == "credit-note":
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        url = f"/staff/documents/{Document.objects.get(type=DocumentType.INVOICE).pk}/credit-note/"
    elif form_name == "pay":
        url = f"/staff/documents/{proforma.pk}/pay/"
    else:
        url = f"/staff/clients/{client.pk}/transactions/new/"

    def shown_key() -> str:
        page = staff_client.get(url).content.decode()
        assert page.count('name="submission"') == 1 and "Submission" not in page  # hidden, once
        return re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)

    def recorded() -> int:
        return LedgerEntry.objects.filter(client=client).count()

    before, key = recorded(), shown_key()
    staff_client.post(url, {**extra, "submission": key})
    assert recorded() == before + 1
    again = staff_client.post(url, {**extra, "submission": key}).content.decode()
    assert "sent already" in again and recorded() == before + 1
    staff_client.post(url, {**extra, "submission": shown_key()})
    assert recorded() == before + 2


# --- 8. money in the API ----------------------------------------------------------------------------

def test_every_money_string_in_a_document_has_four_decimals(api):
    company_with_taxes(("GST", "5"), ("PST", "7"), region="BC")
    client = new_client()
    issued = api.post(f"/clients/{client.pk}/invoices/add-funds", {"net_amount": "12.5"}).json()
    assert issued["tax_lines"] == [{"name": "GST", "rate": "5.000", "amount": "0.6300"},
                                   {"name": "PST", "rate": "7.000", "amount": "0.8800"}]
    money = [issued[k] for k in ("net", "tax", "total", "amount_due")]
    money += [i[k] for i in issued["items"] for k in ("unit_price", "net")]
    assert all(len(m.split(".")[1]) == 4 for m in money), money


# --- 9. zero totals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("items", [
    [{"description": "Nothing", "quantity": "1", "unit_price": "0.0001"}],
    [{"description": "Tiny", "quantity": "0.0001", "unit_price": "10.00"}, {"description": "Tiny too",
                                                                              "quantity": "1", "unit_price": "0.004"}],
])
def test_a_document_with_a_zero_total_is_refused_with_a_field_error(items):
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    with pytest.raises(ValidationFailed) as failure:
        proforma_issue(actor=None, client_id=client.pk, items=items)
    assert "0.00 CAD" in failure.value.fields["items"][0]
    assert not Document.objects.exists()


# --- 11. decimals -------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, ok", [("100.0000", True), ("100.0", True), ("100.01", True), ("100.001", False),
                                        ("0.0100", True)])
def test_add_funds_takes_the_currency_minor_unit_and_trailing_zeros(amount, ok):
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    if ok:
        assert proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount).net == Decimal(amount)
    else:
        with pytest.raises(ValidationFailed, match="Some fields") as failure:
            proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount)
        assert failure.value.fields["net_amount"] == ["CAD amounts have at most 2 decimal places."]


def test_credit_limits_take_the_currency_minor_unit():
    client = new_client()
    with pytest.raises(ValidationFailed) as failure:
        client_update(actor=None, client_id=client.pk, data={"credit_limit": "100.005"})
    assert failure.value.fields["credit_limit"] == ["CAD amounts have at most 2 decimal places."]
    assert client_update(actor=None, client_id=client.pk, data={"credit_limit": "100.5000"}).credit_limit == \
        Decimal("100.5")


@pytest.mark.parametrize("body", [{"net_amount": 10}, {"net_amount": 10.5}, {"net_amount": True}])
def test_money_sent_as_a_json_number_is_refused(api, body):
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    response = api.post(f"/clients/{client.pk}/invoices/add-funds", body)
    assert response.status_code == 422
    assert "JSON numbers are refused" in response.json()["error"]["fields"]["net_amount"][0]
    transaction_response = api.post(f"/clients/{client.pk}/transactions", {"amount": 5, "description": "x"})
    assert transaction_response.status_code == 422 and not LedgerEntry.objects.exists()


def test_manual_transactions_keep_four_decimals():
    client = new_client()
    entry, _ = manual_transaction_create(actor=None, client_id=client.pk, amount="0.0729",
                                         description="Correct an hourly charge")
    assert entry.net == Decimal("0.0729")


# --- 13. issued documents never change --------------------------------------------------------------

def test_the_pdf_is_made_once_at_issue_and_served_unchanged(monkeypatch):
    company_with_taxes(("GST", "5"), region="BC")
    client = new_client()
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    proforma.refresh_from_db()
    issued_pdf = stored_pdf(proforma)
    assert hashlib.sha256(issued_pdf).hexdigest() == proforma.pdf_sha256 and proforma.pdf_name
    proforma_pay(actor=None, document_id=proforma.pk, amount="10.50")
    Client.objects.filter(pk=client.pk).update(language="pl")

    def no_rendering(document):
        raise AssertionError("an issued document's PDF is never rendered again")

    monkeypatch.setattr("clientpanel.invoicing.storage.document_pdf", no_rendering)
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED and stored_pdf(proforma) == issued_pdf


def test_the_status_is_not_printed_on_the_document():
    import io

    from pypdf import PdfReader

    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    text = PdfReader(io.BytesIO(stored_pdf(proforma))).pages[0].extract_text()
    assert "UNPAID" not in text and "Status" not in text


def test_a_tampered_pdf_is_refused_not_served(staff_client, settings):
    from django.core.files.storage import storages

    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    proforma.refresh_from_db()
    with storages["documents"].open(proforma.pdf_name, "wb") as handle:
        handle.write(b"%PDF-1.4 forged")
    response = staff_client.get(f"/staff/documents/{proforma.pk}/pdf/", follow=True)
    assert response.status_code == 200 and b"does not match the SHA-256" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_the_pdf_is_in_the_home_company_language_when_client_language_is_off(settings):
    settings.PDF_IN_CLIENT_LANGUAGE = False
    company_with_taxes(("VAT", "23"), country="PL", language="pl")
    client = new_client(country="PL", region="", currency="PLN", language="en")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert proforma.language == "pl"


PROTECTED_CHANGES = ["number = 'X/1'", "total = total + 1", "issue_date = issue_date - interval '1 day'",
                     "currency = 'EUR'", "tax_lines = '[]'::jsonb", "client_snapshot = '{}'::jsonb",
                     "pdf_sha256 = 'forged'"]


@pytest.mark.postgres
@pytest.mark.parametrize("change", PROTECTED_CHANGES)
def test_postgresql_refuses_changes_to_an_issued_document(change):
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    with pytest.raises(DatabaseError, match="cannot change"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE invoicing_document SET {change} WHERE id = %s", [proforma.pk])


@pytest.mark.postgres
def test_postgresql_lets_status_and_paid_amounts_move_but_not_items_deletes_or_truncate():
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_document SET status = 'CANCELLED', paid_gross = 0 WHERE id = %s",
                       [proforma.pk])
    for statement, params in [
        ("UPDATE invoicing_documentitem SET net = 1 WHERE document_id = %s", [proforma.pk]),
        ("DELETE FROM invoicing_documentitem WHERE document_id = %s", [proforma.pk]),
        ("DELETE FROM invoicing_document WHERE id = %s", [proforma.pk]),
        ("TRUNCATE invoicing_document CASCADE", []),
        ("TRUNCATE invoicing_documentitem", []),
        ("TRUNCATE invoicing_payment", []),
        ("TRUNCATE ledger_ledgerentry", []),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert Document.objects.filter(pk=proforma.pk).exists() and DocumentItem.objects.filter(
        document=proforma).exists()


def test_the_database_refuses_changes_to_an_issued_document_on_sqlite_too():
    company_with_taxes(("GST", "5"), region="BC")
    proforma = proforma_add_funds(actor=None, client_id=new_client().pk, net_amount="10")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Document.objects.filter(pk=proforma.pk).update(total=Decimal("1"))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        DocumentItem.objects.filter(document=proforma).update(description="Changed")
    Document.objects.filter(pk=proforma.pk).update(status=DocumentStatus.CANCELLED)  # the status may move


def test_the_payment_form_offers_what_is_due_to_the_currencys_last_decimal(staff_client, settings):
    """A Kuwaiti dinar has three decimals: the form's amount is the whole 12.345 due, not a 12.34
    that, accepted as offered, would leave 0.005 owing."""
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "KWD"]
    company_with_taxes()
    proforma = proforma_add_funds(actor=None, client_id=new_client(currency="KWD").pk, net_amount="12.345")
    page = staff_client.get(f"/staff/documents/{proforma.pk}/pay/").content.decode()
    assert 'name="amount" value="12.345"' in page
