"""Matching a statement's incoming transfers to proformas by number and amount."""

from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.invoicing.services import proforma_pay
from clientpanel.payments.bank import bank_statement_upload
from clientpanel.payments.bank.matching import numbers_in
from clientpanel.payments.models import BankLineStatus

from .bank_fixtures import company_fixture, make_proforma_fixture, pln, statement_file  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def _lines(staff, *bookings, **options):
    statement = bank_statement_upload(actor=staff, data=statement_file(*bookings), name="november.csv", **options)
    return list(statement.lines.order_by("position"))


def test_numbers_are_read_with_the_pattern_whatever_the_case_spacing_and_separators():
    pattern = "PF/{YEAR}/{MONTH}/{NUMBER:4}"
    assert numbers_in("Zapłata za pf 2026 / 11 / 0007", pattern) == {"PF/2026/11/0007"}
    assert numbers_in("PF2026110008 i PF-2026-11-9", pattern) == {"PF/2026/11/0008", "PF/2026/11/0009"}
    assert numbers_in("PF/2026/11/00071", pattern) == {"PF/2026/11/0071"}
    assert numbers_in("XPF/2026/11/0007 PF/2026/13/0001 nothing", pattern) == set()
    # After the counter a separator must stay when a date part follows, or the digits are ambiguous.
    assert numbers_in("PF/7/2026 and PF72026", "PF/{NUMBER}/{YEAR}") == {"PF/7/2026"}


def test_exact_number_and_amount_match(staff, make_proforma):
    proforma = make_proforma("1234.56")
    today = timezone.localdate()
    [line] = _lines(staff, (f"{today}", pln(proforma), f"Zapłata {proforma.number}", "R1"))
    assert (line.status, line.document_id, line.amount) == (BankLineStatus.MATCHED, proforma.pk, Decimal("1234.56"))


def test_lowercase_and_extra_spaces_in_the_title_still_match(staff, make_proforma):
    proforma = make_proforma("50.00")
    loose = "  " + proforma.number.lower().replace("/", " / ") + "  dzięki "
    [line] = _lines(staff, (f"{timezone.localdate()}", pln(proforma), loose))
    assert (line.status, line.document_id) == (BankLineStatus.MATCHED, proforma.pk)


def test_another_amount_needs_a_choice_and_proposes_the_proforma(staff, make_proforma):
    proforma = make_proforma("100.00")
    [less, more] = _lines(staff, (f"{timezone.localdate()}", "40,00", proforma.number, "R1"),
                          (f"{timezone.localdate()}", "140,00", proforma.number, "R2"))
    assert (less.status, less.document_id) == (BankLineStatus.AMBIGUOUS, proforma.pk)
    assert "40.00" in less.note and "100.00" in less.note and "partial" in less.note
    assert "overpayment" in more.note


def test_another_currency_matches_nothing(staff, make_proforma):
    proforma = make_proforma("100.00", currency="EUR")
    [line] = _lines(staff, (f"{timezone.localdate()}", "100,00", proforma.number, "R1", "PLN"))
    assert (line.status, line.document_id) == (BankLineStatus.UNMATCHED, None)
    assert "due in EUR; the transfer is in PLN" in line.note


def test_two_numbers_in_one_title_need_a_choice(staff, make_proforma):
    first, second = make_proforma("100.00"), make_proforma("100.00")
    [line] = _lines(staff, (f"{timezone.localdate()}", "100,00", f"{first.number} {second.number}"))
    assert (line.status, line.document_id) == (BankLineStatus.AMBIGUOUS, None)
    assert first.number in line.note and second.number in line.note


def test_unknown_number_no_number_and_paid_proforma_match_nothing(staff, make_proforma):
    paid = make_proforma("10.00")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    today = f"{timezone.localdate()}"
    unknown, nothing, settled = _lines(staff, (today, "10,00", "PF/2026/01/9999"), (today, "10,00", "Darowizna"),
                                       (today, "10,00", paid.number))
    assert unknown.status == nothing.status == settled.status == BankLineStatus.UNMATCHED
    assert "No proforma is numbered PF/2026/01/9999" in unknown.note
    assert "names no proforma number" in nothing.note
    assert f"Nothing is due on {paid.number} (invoiced)" in settled.note


def test_outgoing_transfers_are_ignored_with_a_reason(staff, make_proforma):
    proforma = make_proforma("10.00")
    [line] = _lines(staff, (f"{timezone.localdate()}", "-10,00", proforma.number))
    assert (line.status, line.document_id) == (BankLineStatus.IGNORED, None)
    assert "Outgoing" in line.note
    assert line.statement.outgoing_count == 1
