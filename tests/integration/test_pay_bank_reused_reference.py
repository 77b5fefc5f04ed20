"""A bank reference names a booking only together with its day and amount (banks reuse them: the
reference is unique per bank and day at best, which is why a booking's fingerprint adds the day
and amount). Recording used the reference alone as the payment's transaction ID, so a client's
second transfer under a reference seen before — on another day, for another proforma or the next
instalment of the same one — could not be recorded ("transaction ID used", or "recorded on another
line already"). Such a booking is recorded under its fingerprint; a payment staff typed by hand
with the bank's reference is still recognised as the same booking."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clientpanel.invoicing.models import DocumentStatus, Payment
from clientpanel.invoicing.services import proforma_pay
from clientpanel.payments.bank import bank_statement_record, bank_statement_upload
from clientpanel.payments.models import BankLineStatus
from clientpanel.payments.tests.bank_fixtures import (  # noqa: F401 — fixtures
    company_fixture,
    make_proforma_fixture,
    pln,
    statement_file,
)

pytestmark = pytest.mark.django_db


def test_a_reference_reused_on_another_day_records_both_transfers(staff, make_client, make_proforma):
    client = make_client(currency="PLN")
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        first, second = make_proforma("10.00", client=client), make_proforma("20.00", client=client)
    today = timezone.localdate()
    statement = bank_statement_upload(actor=staff, name="s.csv", data=statement_file(
        (f"{today - dt.timedelta(days=1)}", pln(first), f"Zapłata {first.number}", "NOTPROVIDED"),
        (f"{today}", pln(second), f"Zapłata {second.number}", "NOTPROVIDED")))
    outcome = bank_statement_record(actor=staff, statement_id=statement.pk)
    assert (outcome.recorded, outcome.failed) == (2, 0), [line.error for line in statement.lines.all()]
    assert [line.status for line in statement.lines.order_by("position")] == [BankLineStatus.RECORDED] * 2
    for proforma in (first, second):
        proforma.refresh_from_db()
        assert proforma.status == DocumentStatus.INVOICED
    first_line, second_line = statement.lines.order_by("position")
    assert first_line.payment.transaction_id == "NOTPROVIDED"
    assert second_line.payment.transaction_id == second_line.fingerprint


def test_two_instalments_of_one_proforma_under_one_reference_are_both_recorded(staff, make_proforma):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        proforma = make_proforma("100.00")  # 100.00 due (no tax rule)
    today = timezone.localdate()
    statement = bank_statement_upload(actor=staff, name="s.csv", data=statement_file(
        (f"{today - dt.timedelta(days=1)}", "50,00", f"Rata 1 {proforma.number}", "ORDER-7"),
        (f"{today}", "50,00", f"Rata 2 {proforma.number}", "ORDER-7")))
    for line in statement.lines.all():  # partial payments: staff confirm the proforma
        line.status = BankLineStatus.CHOSEN
        line.save(update_fields=["status"])
    assert bank_statement_record(actor=staff, statement_id=statement.pk).recorded == 2, [
        line.error for line in statement.lines.all()]
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED and Payment.objects.filter(document=proforma).count() == 2


def test_a_payment_typed_by_hand_with_the_reference_is_still_the_same_booking(staff, make_proforma):
    proforma = make_proforma("10.00")
    proforma_pay(actor=staff, document_id=proforma.pk, amount=pln(proforma).replace(",", "."),
                 transaction_id="BANK-9")
    statement = bank_statement_upload(actor=staff, name="s.csv", data=statement_file(
        (f"{timezone.localdate()}", pln(proforma), f"Zapłata {proforma.number}", "BANK-9")))
    line = statement.lines.get()
    line.status, line.document = BankLineStatus.CHOSEN, proforma
    line.save(update_fields=["status", "document"])
    assert bank_statement_record(actor=staff, statement_id=statement.pk).recorded == 1
    line.refresh_from_db()
    assert line.payment.transaction_id == "BANK-9" and Payment.objects.filter(document=proforma).count() == 1
