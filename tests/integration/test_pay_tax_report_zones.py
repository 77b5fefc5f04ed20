"""Finance → Reports → Tax collected (for the VAT return) puts each invoice and credit note in the
period its home company dates it in — the day printed on it, in its number, its PDF and its
e-invoice — not the server's day: a Warsaw invoice issued at 00:30 on 1 December (still 30 November
in UTC) is December's VAT, live and from the daily rollups alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientpanel.accounts.services import staff_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.reports.reports import QUARTER, Range, tax_report
from clientpanel.reports.rollups import rolled_until, rollups_refresh
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db

D = Decimal
# 00:30 on 1 December in Warsaw (UTC+1); the server's zone (UTC) still says 30 November.
FIRST_OF_DECEMBER_IN_WARSAW = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
NOVEMBER = Range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DECEMBER = Range(dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def _admin():
    return staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])


@pytest.fixture
def warsaw_invoice(db, settings):
    from clientpanel.clients.services import client_create

    settings.TIME_ZONE = "UTC"
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hostownia", "country": "PL", "eu_vat_id": "PL5260250995", "time_zone": "Europe/Warsaw"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN", firstname="Ola"))
    with time_machine.travel(FIRST_OF_DECEMBER_IN_WARSAW - dt.timedelta(hours=2), tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    with time_machine.travel(FIRST_OF_DECEMBER_IN_WARSAW, tick=False):
        proforma_pay(actor=None, document_id=proforma.pk, amount="123.00")
    invoice = Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id)
    with time_machine.travel(dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC), tick=False):  # 1 Feb in Warsaw
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="10.00")
    return invoice


def _vat(report) -> list[tuple[dt.date, Decimal, Decimal]]:
    return [(row.period, row.net, row.tax) for row in report.rates]


def test_an_invoice_is_in_the_vat_of_the_month_its_company_dates_it_in(warsaw_invoice):
    assert "/12/" in warsaw_invoice.number  # numbered (and printed) as a December invoice
    boss = _admin()
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        assert _vat(tax_report(actor=boss, span=NOVEMBER)) == []
        assert _vat(tax_report(actor=boss, span=DECEMBER)) == [(dt.date(2026, 12, 1), D("100.00"), D("23.00"))]
        # The credit note issued at 00:30 on 1 February in Warsaw is February's, not January's.
        assert _vat(tax_report(actor=boss, span=Range(dt.date(2027, 1, 1), dt.date(2027, 1, 31)))) == []
        quarter = Range(dt.date(2026, 10, 1), dt.date(2027, 3, 31), QUARTER)
        live = _vat(tax_report(actor=boss, span=quarter))
        assert live == [(dt.date(2026, 10, 1), D("100.00"), D("23.00")),
                        (dt.date(2027, 1, 1), D("-10.00"), D("-2.30"))]
        rollups_refresh()
        assert rolled_until() is not None
        assert _vat(tax_report(actor=boss, span=quarter)) == live  # the rollups' days are the company's too
        assert _vat(tax_report(actor=boss, span=NOVEMBER)) == []
        assert _vat(tax_report(actor=boss, span=DECEMBER)) == [(dt.date(2026, 12, 1), D("100.00"), D("23.00"))]


def test_a_document_keeps_its_day_when_its_company_moves_to_another_zone(warsaw_invoice):
    boss = _admin()
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        home_company_save(actor=None, company_id=warsaw_invoice.home_company_id, data={"time_zone": "UTC"})
        december = [(dt.date(2026, 12, 1), D("100.00"), D("23.00"))]
        assert _vat(tax_report(actor=boss, span=DECEMBER)) == december  # printed 1 December, still December's
        rollups_refresh()
        assert rolled_until() is not None
        assert _vat(tax_report(actor=boss, span=DECEMBER)) == december
        assert _vat(tax_report(actor=boss, span=NOVEMBER)) == []
