"""A statement's booking day is the bank's, and the bank account is the home company's: the day is
read in the company's time zone (the one its documents are dated in), not the server's. A Los
Angeles proforma issued at 20:00 on 20 November (04:00 on the 21st in UTC) and paid by transfer the
same day could not be recorded from the statement ("a payment for it cannot be earlier"): noon of
20 November was read in UTC, hours before the proforma was issued."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clientpanel.invoicing.models import DocumentStatus, Payment
from clientpanel.payments.bank import bank_statement_record, bank_statement_upload
from clientpanel.payments.models import BankLineStatus
from clientpanel.payments.tests.bank_fixtures import (  # noqa: F401 — fixtures
    company_fixture,
    make_proforma_fixture,
    pln,
    statement_file,
)
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db

ISSUED = dt.datetime(2026, 11, 21, 4, 0, tzinfo=dt.UTC)  # 20:00 on 20 November in Los Angeles


def test_a_transfer_booked_on_the_day_the_proforma_was_issued_in_the_companys_zone_is_recorded(
        settings, staff, company, make_proforma):
    settings.TIME_ZONE = "UTC"
    home_company_save(actor=None, company_id=company.pk, data={"time_zone": "America/Los_Angeles"})
    with time_machine.travel(ISSUED, tick=False):
        proforma = make_proforma("10.00")
    with time_machine.travel(ISSUED + dt.timedelta(hours=1), tick=False):
        statement = bank_statement_upload(actor=staff, name="s.csv", data=statement_file(
            ("2026-11-20", pln(proforma), f"Payment {proforma.number}", "REF-LA-1")))
        assert statement.lines.get().status == BankLineStatus.MATCHED
        outcome = bank_statement_record(actor=staff, statement_id=statement.pk)
        assert (outcome.recorded, outcome.failed) == (1, 0), statement.lines.get().error
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED
    paid_at = Payment.objects.get(document=proforma).paid_at
    assert timezone.localtime(paid_at, proforma.home_company.zone).date() == dt.date(2026, 11, 20)
    assert paid_at >= proforma.issue_date
