"""A partly paid proforma's way out: staff cancel it after confirming what it received, which stays
on the client's balance as credit (docs/decisions.md). The payments already put their net there, so
the cancel posts nothing; a payment arriving meanwhile is neither lost nor counted twice."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.core.errors import Conflict, DomainError, ValidationFailed
from clientpanel.core.tests.recording import recorded_events
from clientpanel.invoicing import rules
from clientpanel.invoicing.events import DocumentIssued, DocumentPaid, DocumentRefunded
from clientpanel.invoicing.models import Document, DocumentStatus, Payment
from clientpanel.invoicing.services import proforma_add_funds, proforma_cancel, proforma_pay
from clientpanel.invoicing.services import proformas as proforma_services
from clientpanel.ledger.events import LedgerEntryPosted
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def vat_client(db) -> Client:
    """A PLN client of a Polish home company charging VAT 23%."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ sp. z o.o.", "country": "PL"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return client_create(actor=None, data=client_data(currency="PLN", language="pl"))


def balance(client) -> Decimal:
    return Client.objects.get(pk=client.pk).balance


def cancels() -> int:
    return AuditEvent.objects.filter(action="document.cancel").count()


def test_a_partly_paid_proforma_is_cancelled_and_what_it_received_stays_as_credit(vat_client):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")  # 123.00 gross
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    entries_before = list(LedgerEntry.objects.values_list("sequence", "type", "net", "gross"))
    # The payment put its net part on the balance when it was recorded: 40.00 / 1.23.
    assert entries_before == [(1, EntryType.PAYMENT, Decimal("32.5203"), Decimal("40.0000"))]
    assert balance(vat_client) == Decimal("32.5203")

    cancelled = proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40.00")

    assert cancelled.status == DocumentStatus.CANCELLED
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.CANCELLED
    # Nothing posted, nothing refunded: the credit is where the payment put it, to the 1/10,000.
    assert list(LedgerEntry.objects.values_list("sequence", "type", "net", "gross")) == entries_before
    assert balance(vat_client) == Decimal("32.5203") and ledger_breaches() == []
    event = AuditEvent.objects.get(action="document.cancel")
    assert event.changes == {"status": ["UNPAID", "CANCELLED"], "currency": ["PLN", "PLN"],
                             "paid": ["40.0000", "40.0000"], "net": ["32.5203", "32.5203"]}
    with pytest.raises(Conflict, match="is cancelled; it takes no payment"):
        proforma_pay(actor=None, document_id=proforma.pk, amount="83.00")
    assert balance(vat_client) == Decimal("32.5203") and Payment.objects.count() == 1


def test_without_tax_the_whole_payment_stays_on_the_balance(make_client):
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    proforma.refresh_from_db()
    assert proforma.total == Decimal("100") and rules.credit_kept_on_cancel(proforma) == Decimal("40")
    proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40")
    assert balance(client) == Decimal("40.0000") and LedgerEntry.objects.count() == 1


def test_a_currency_without_minor_units_cancels_exactly(make_client, settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]
    client = make_client(currency="JPY", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="1000")
    proforma_pay(actor=None, document_id=proforma.pk, amount="400")
    with pytest.raises(Conflict) as refused:
        proforma_cancel(actor=None, document_id=proforma.pk)
    assert str(refused.value.message) == ("This proforma has received ¥400; cancelling it keeps ¥400 on the "
                                          "client's balance as credit. Confirm that amount to cancel it.")
    proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="400")
    assert balance(client) == Decimal("400") and Document.objects.get(pk=proforma.pk).status == "CANCELLED"
    assert LedgerEntry.objects.get().net == Decimal("400") and ledger_breaches() == []


def test_the_cancel_names_what_stays_in_the_readers_language(vat_client):
    from django.utils import translation

    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    with translation.override("pl"), pytest.raises(Conflict) as polish:
        proforma_cancel(actor=None, document_id=proforma.pk)
    assert str(polish.value.message) == (
        "Na tę fakturę proforma wpłacono 40,00\xa0zł; po jej anulowaniu 32,5203\xa0zł zostaje na saldzie klienta "
        "jako środki do wykorzystania. Potwierdź tę kwotę, aby ją anulować.")
    with translation.override("en"), pytest.raises(Conflict) as english:
        proforma_cancel(actor=None, document_id=proforma.pk)
    assert str(english.value.message) == (
        "This proforma has received PLN\xa040.00; cancelling it keeps PLN\xa032.5203 on the client's balance as "
        "credit. Confirm that amount to cancel it.")
    assert english.value.fields == {"confirm_paid": ["Confirm the amount received: PLN\xa040.00."]}


def test_a_payment_that_arrived_after_the_confirmation_refuses_the_cancel(vat_client):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")  # what the dialog showed
    proforma_pay(actor=None, document_id=proforma.pk, amount="20.00")  # arrives before staff click
    with pytest.raises(Conflict, match=r"has received PLN\s60.00, not PLN\s40.00 .*nothing was cancelled"):
        proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40.00")
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.UNPAID and cancels() == 0
    proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="60.00")
    nets = sum(LedgerEntry.objects.values_list("net", flat=True), Decimal(0))
    assert balance(vat_client) == nets == Document.objects.get(pk=proforma.pk).paid_net == Decimal("48.7805")


@pytest.mark.parametrize("confirm, error", [(None, Conflict), ("", Conflict), ("39.99", Conflict),
                                            ("abc", ValidationFailed), ("-40", ValidationFailed)])
def test_a_partly_paid_proforma_is_not_cancelled_without_the_right_confirmation(vat_client, confirm, error):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    with pytest.raises(error) as refused:
        proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid=confirm)
    assert "confirm_paid" in refused.value.fields
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.UNPAID and cancels() == 0


def test_the_same_cancel_sent_twice_cancels_once(vat_client):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    first = proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40.00")
    again = proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40.00")
    assert first.status == again.status == DocumentStatus.CANCELLED
    assert cancels() == 1 and LedgerEntry.objects.count() == 1 and balance(vat_client) == Decimal("32.5203")


def test_cancelling_publishes_what_a_cancel_always_published_nothing(vat_client):
    """A cancel moves no money and issues nothing: no ledger, document or webhook event, partly paid
    or not (as before; notifications and webhooks have no cancel event)."""
    plain = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="10")
    partly = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=partly.pk, amount="40.00")
    with recorded_events(DocumentIssued, DocumentPaid, DocumentRefunded, LedgerEntryPosted) as events:
        proforma_cancel(actor=None, document_id=plain.pk)
        proforma_cancel(actor=None, document_id=partly.pk, confirm_paid="40.00")
    assert events == []


def test_staff_without_finance_cannot_cancel(vat_client):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="Sue",
                           lastname="Port", roles=["Support"])
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    with pytest.raises(DomainError, match="not allowed to cancel documents"):
        proforma_cancel(actor=support, document_id=proforma.pk, confirm_paid="40.00")
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.UNPAID and cancels() == 0


def test_a_fully_paid_proforma_and_its_invoice_cannot_be_cancelled(vat_client):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="83.00")
    proforma.refresh_from_db()
    assert not rules.can_be_cancelled(proforma) and not rules.partly_paid(proforma)
    with pytest.raises(Conflict, match="this one is invoiced"):
        proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="123.00")
    with pytest.raises(Conflict, match="this one is paid"):
        proforma_cancel(actor=None, document_id=proforma.related_id, confirm_paid="123.00")
    assert cancels() == 0 and balance(vat_client) == Decimal("100")


def test_a_cancel_that_fails_midway_writes_nothing(vat_client, monkeypatch):
    proforma = proforma_add_funds(actor=None, client_id=vat_client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")

    def audit_down(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(proforma_services, "audit_record", audit_down)
    with pytest.raises(RuntimeError):
        proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid="40.00")
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.UNPAID
    assert LedgerEntry.objects.count() == 1 and balance(vat_client) == Decimal("32.5203")
    monkeypatch.undo()
    proforma_pay(actor=None, document_id=proforma.pk, amount="83.00")  # still payable to the end
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.INVOICED


def _pay_and_cancel_at_once(proforma, amount: str, transaction_id: str) -> dict[str, str]:
    start, outcomes = threading.Barrier(2), {}

    def run(name, call):
        start.wait()
        try:
            call()
            outcomes[name] = "done"
        except Conflict:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("pay", lambda: proforma_pay(
                   actor=None, document_id=proforma.pk, amount=amount, transaction_id=transaction_id))),
               threading.Thread(target=run, args=("cancel", lambda: proforma_cancel(
                   actor=None, document_id=proforma.pk, confirm_paid="40.00")))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_payment", ["20.00", "83.00"])  # a part, or the rest (which invoices it)
def test_a_payment_and_a_cancel_at_once_neither_lose_nor_double_the_money(second_payment):
    company = default_home_company()
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN"))
    for round_ in range(5):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
        proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
        outcomes = _pay_and_cancel_at_once(proforma, second_payment, f"t-{round_}")
        # Exactly one wins: the cancel (the payment is refused, nothing of it recorded) or the
        # payment (the cancel is refused: it confirmed 40.00, the proforma has received more).
        assert sorted(outcomes.values()) == ["done", "refused"]
        document = Document.objects.get(pk=proforma.pk)
        payments = Payment.objects.filter(document=document)
        if outcomes["cancel"] == "done":
            assert document.status == DocumentStatus.CANCELLED and payments.count() == 1
        else:
            assert document.status != DocumentStatus.CANCELLED and payments.count() == 2
        assert document.paid_gross == sum(p.gross for p in payments)
    client.refresh_from_db()
    nets = sum(LedgerEntry.objects.filter(client=client).values_list("net", flat=True), Decimal(0))
    assert client.balance == nets and ledger_breaches() == []
    assert sum(Payment.objects.filter(client=client).values_list("net", flat=True), Decimal(0)) == sum(
        LedgerEntry.objects.filter(client=client, type=EntryType.PAYMENT).values_list("net", flat=True), Decimal(0))


@pytest.mark.parametrize("confirm", ["400.5", "399.6"])
def test_a_confirmation_finer_than_the_currency_is_a_field_error_not_a_stale_amount(make_client, settings, confirm):
    # ¥399.6 was refused as "received ¥400, not ¥399.6 (a payment may have arrived meanwhile)": no
    # payment arrived; the amount itself is what is wrong, as in every other JPY field.
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]
    client = make_client(currency="JPY", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="1000")
    proforma_pay(actor=None, document_id=proforma.pk, amount="400")
    with pytest.raises(ValidationFailed) as refused:
        proforma_cancel(actor=None, document_id=proforma.pk, confirm_paid=confirm)
    assert refused.value.fields == {"confirm_paid": ["JPY amounts have no decimal places."]}
    assert "meanwhile" not in str(refused.value.message)
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.UNPAID and cancels() == 0
