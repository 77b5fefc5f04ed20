"""Recording the payments of a reviewed statement: once per bank booking, each line on its own."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import Conflict, PermissionDenied, ValidationFailed
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.payments.bank import (
    bank_line_choose,
    bank_line_ignore,
    bank_statement_record,
    bank_statement_upload,
)
from clientpanel.payments.bank.recording import paid_at_of
from clientpanel.payments.models import BankLineStatus, BankStatement, BankStatementLine

from .bank_fixtures import company_fixture, make_proforma_fixture, pln, statement_file  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def _upload(staff, *bookings, name="november.csv"):
    return bank_statement_upload(actor=staff, data=statement_file(*bookings), name=name)


def test_recording_pays_the_proforma_issues_the_final_invoice_and_posts_the_payment(staff, make_proforma):
    proforma = make_proforma("1234.56")
    today = timezone.localdate()
    statement = _upload(staff, (f"{today}", pln(proforma), f"Zapłata {proforma.number}", "BANK-REF-1"))
    assert bank_statement_record(actor=staff, statement_id=statement.pk).recorded == 1
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED
    invoice = proforma.related
    assert (invoice.type, invoice.status, invoice.total) == (DocumentType.INVOICE, DocumentStatus.PAID, proforma.total)
    payment = Payment.objects.get(document=proforma)
    assert (payment.gross, payment.method, payment.transaction_id) == (proforma.total, "bank transfer", "BANK-REF-1")
    assert timezone.localtime(payment.paid_at).date() == today
    entry = LedgerEntry.objects.get(pk=payment.ledger_entry_id)
    assert (entry.type, entry.gross, entry.transaction_id) == (EntryType.PAYMENT, proforma.total, "BANK-REF-1")
    line = statement.lines.get()
    assert (line.status, line.payment_id, line.error) == (BankLineStatus.RECORDED, payment.pk, "")


def test_without_a_bank_reference_the_fingerprint_is_the_transaction_id(staff, make_proforma):
    proforma = make_proforma("10.00")
    statement = _upload(staff, (f"{timezone.localdate()}", pln(proforma), proforma.number))
    bank_statement_record(actor=staff, statement_id=statement.pk)
    line = statement.lines.get()
    assert line.payment.transaction_id == line.fingerprint and len(line.fingerprint) == 64


def test_the_same_statement_uploaded_again_records_nothing_new(staff, make_proforma):
    proforma, other = make_proforma("10.00"), make_proforma("20.00")
    today = f"{timezone.localdate()}"
    first = _upload(staff, (today, pln(proforma), proforma.number, "R1"))
    bank_statement_record(actor=staff, statement_id=first.pk)
    with pytest.raises(ValidationFailed, match="imported before"):
        _upload(staff, (today, pln(proforma), proforma.number, "R1"), name="again.csv")
    # An overlapping statement: the known booking is left out, the new one stored.
    overlapping = _upload(staff, (today, pln(proforma), proforma.number, "R1"), (today, pln(other), other.number, "R2"))
    assert (overlapping.line_count, overlapping.duplicate_count) == (1, 1)
    assert bank_statement_record(actor=staff, statement_id=overlapping.pk).recorded == 1
    assert bank_statement_record(actor=staff, statement_id=overlapping.pk).recorded == 0
    assert Payment.objects.count() == 2 and BankStatement.objects.count() == 2


def test_the_database_refuses_a_second_line_with_the_same_fingerprint(staff, make_proforma):
    proforma = make_proforma("10.00")
    statement = _upload(staff, (f"{timezone.localdate()}", pln(proforma), proforma.number, "R1"))
    line = statement.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        BankStatementLine.objects.create(statement=statement, position=99, booked_on=line.booked_on, amount=line.amount,
                                         currency="PLN", title="copy", fingerprint=line.fingerprint,
                                         status=BankLineStatus.UNMATCHED)


def test_a_proforma_paid_between_upload_and_record_leaves_an_error_and_the_others_are_recorded(staff, make_proforma):
    paid_meanwhile, still_due = make_proforma("10.00"), make_proforma("20.00")
    today = f"{timezone.localdate()}"
    statement = _upload(staff, (today, pln(paid_meanwhile), paid_meanwhile.number, "R1"),
                        (today, pln(still_due), still_due.number, "R2"))
    proforma_pay(actor=None, document_id=paid_meanwhile.pk, amount=str(paid_meanwhile.total), transaction_id="cash-1")
    outcome = bank_statement_record(actor=staff, statement_id=statement.pk)
    assert (outcome.recorded, outcome.failed) == (1, 1)
    failed, recorded = statement.lines.order_by("position")
    assert failed.status == BankLineStatus.MATCHED and failed.payment_id is None
    assert "INVOICED" in failed.error or "invoiced" in failed.error.lower()
    assert recorded.status == BankLineStatus.RECORDED
    assert Payment.objects.filter(document=paid_meanwhile).count() == 1


def test_staff_choose_a_proforma_for_an_ambiguous_line_and_a_partial_payment_is_recorded(staff, make_proforma):
    proforma = make_proforma("100.00")
    statement = _upload(staff, (f"{timezone.localdate()}", "40,00", f"{proforma.number}", "R1"))
    line = statement.lines.get()
    assert line.status == BankLineStatus.AMBIGUOUS
    assert bank_statement_record(actor=staff, statement_id=statement.pk).recorded == 0  # not chosen yet
    bank_line_choose(actor=staff, statement_id=statement.pk, line_id=line.pk, number=proforma.number.lower())
    assert bank_statement_record(actor=staff, statement_id=statement.pk).recorded == 1
    proforma.refresh_from_db()
    assert (proforma.status, proforma.paid_gross) == (DocumentStatus.UNPAID, Decimal("40.00"))


def test_an_overpayment_chosen_by_staff_keeps_its_error(staff, make_proforma):
    proforma = make_proforma("100.00")
    statement = _upload(staff, (f"{timezone.localdate()}", "150,00", "no number", "R1"))
    line = statement.lines.get()
    bank_line_choose(actor=staff, statement_id=statement.pk, line_id=line.pk, document_id=proforma.pk)
    assert bank_statement_record(actor=staff, statement_id=statement.pk).failed == 1
    line.refresh_from_db()
    assert "Overpayment" in line.error and line.status == BankLineStatus.CHOSEN


def test_only_an_unpaid_proforma_in_the_lines_currency_can_be_chosen(staff, make_proforma):
    euro, paid = make_proforma("10.00", currency="EUR"), make_proforma("10.00")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    statement = _upload(staff, (f"{timezone.localdate()}", "10,00", "no number", "R1"))
    line = statement.lines.get()
    refusals = ((euro.number, "due in EUR"), (paid.number, "nothing is due"), ("PF/1999/01/1", "No proforma"))
    for chosen, words in refusals:
        with pytest.raises(ValidationFailed, match=words):
            bank_line_choose(actor=staff, statement_id=statement.pk, line_id=line.pk, number=chosen)
    bank_line_ignore(actor=staff, statement_id=statement.pk, line_id=line.pk)
    line.refresh_from_db()
    assert line.status == BankLineStatus.IGNORED


def test_a_recorded_line_cannot_be_ignored_or_chosen_again(staff, make_proforma):
    proforma = make_proforma("10.00")
    statement = _upload(staff, (f"{timezone.localdate()}", pln(proforma), proforma.number, "R1"))
    bank_statement_record(actor=staff, statement_id=statement.pk)
    line = statement.lines.get()
    with pytest.raises(Conflict):
        bank_line_ignore(actor=staff, statement_id=statement.pk, line_id=line.pk)
    with pytest.raises(Conflict):
        bank_line_choose(actor=staff, statement_id=statement.pk, line_id=line.pk, number=proforma.number)


def test_staff_limited_to_their_clients_or_without_finance_may_not_import(make_proforma):
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Accountant"],
                           limited_to_assigned_clients=True)
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    data = statement_file((f"{timezone.localdate()}", "10,00", "x"))
    for member in (limited, support):
        with pytest.raises(PermissionDenied):
            bank_statement_upload(actor=member, data=data, name="s.csv")
    assert not BankStatement.objects.exists()


def test_the_payment_time_is_noon_of_the_booking_day_kept_after_the_issue_and_before_now(make_proforma):
    proforma = make_proforma("10.00")
    zone = timezone.get_default_timezone()
    line = BankStatementLine(booked_on=dt.date(2026, 11, 20))
    issued_late = Document(issue_date=dt.datetime(2026, 11, 20, 15, tzinfo=zone))
    now = dt.datetime(2026, 11, 25, tzinfo=zone)
    assert paid_at_of(line, Document(issue_date=dt.datetime(2026, 11, 1, tzinfo=zone)), now) == \
        dt.datetime(2026, 11, 20, 12, tzinfo=zone)
    assert paid_at_of(line, issued_late, now) == issued_late.issue_date
    assert paid_at_of(line, proforma, dt.datetime(2026, 11, 20, 9, tzinfo=zone)) == dt.datetime(2026, 11, 20, 9,
                                                                                                 tzinfo=zone)


def test_recording_reports_every_line_done_at_the_end(staff, make_proforma):
    """The task's page said 'Done · 1 of 2' after recording two payments: progress was reported
    before each line only."""
    first, second = make_proforma("10.00"), make_proforma("20.00")
    today = timezone.localdate()
    statement = _upload(staff, (f"{today}", pln(first), f"Zapłata {first.number}", "REF-A"),
                        (f"{today}", pln(second), f"Zapłata {second.number}", "REF-B"))
    reported = []
    outcome = bank_statement_record(actor=staff, statement_id=statement.pk,
                                    progress=lambda done, total=None: reported.append((done, total)))
    assert outcome.recorded == 2 and reported[-1] == (2, 2)
