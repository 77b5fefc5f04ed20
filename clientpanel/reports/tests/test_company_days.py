"""Finance → Reports → Revenue and the dashboard count money on the days of the home company's zone,
never the server's (UTC here): a Warsaw payment at 00:30 on 1 December (23:30 UTC on 30 November)
is December's money, a New York payment at 22:00 on 30 November (03:00 UTC on 1 December) is
November's — by period, in a one-day range, live, from the daily rollups, and on the dashboard.
A credit note likewise, on the day its company dated it (its number's, its PDF's), in revenue and
in tax collected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.reports.dashboard import dashboard_figures
from clientpanel.reports.models import DailyRevenue
from clientpanel.reports.reports import Range, revenue_report, tax_report
from clientpanel.reports.rollups import rolled_until, rollups_refresh
from conftest import client_data

from .companies import US_ADDRESS, warsaw_and_new_york

pytestmark = pytest.mark.django_db

D = Decimal
UTC = dt.UTC
WARSAW_FIRST_OF_DECEMBER = dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 December in Warsaw
NEW_YORK_LAST_OF_NOVEMBER = dt.datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 22:00 on 30 November in New York
LATER = dt.datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
NOVEMBER = Range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DECEMBER = Range(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
AUTUMN = Range(dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def paid(client, net: str, moment: dt.datetime) -> Document:
    """A proforma issued an hour before `moment` and paid in full at `moment`: its final invoice."""
    with time_machine.travel(moment - dt.timedelta(hours=1), tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
    with time_machine.travel(moment, tick=False):
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    return Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id)


@pytest.fixture
def companies(db, settings):
    _warsaw, new_york = warsaw_and_new_york(settings, ["PLN", "USD"])
    ola = client_create(actor=None, data=client_data(currency="PLN", firstname="Ola"))
    sam = client_create(actor=None, data=client_data(
        currency="USD", firstname="Sam", billing_address=US_ADDRESS))
    Client.objects.filter(pk=sam.pk).update(home_company=new_york)
    boss = staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])
    return {"ola": ola, "sam": sam, "boss": boss}


def by_day(boss, span: Range, figure: str) -> dict[tuple[str, dt.date], Decimal]:
    """The revenue report's non-zero `figure` (payments, refunds) of each currency and period."""
    report = revenue_report(actor=boss, span=span)
    return {(currency, row.key): getattr(row, figure) for currency, rows in report.by_period.items()
            for row in rows if getattr(row, figure)}


def received(boss, span: Range) -> dict[tuple[str, dt.date], Decimal]:
    return by_day(boss, span, "payments")


def test_a_payment_near_midnight_is_money_of_its_companys_day(companies):
    boss = companies["boss"]
    paid(companies["ola"], "100.00", WARSAW_FIRST_OF_DECEMBER)  # 123.00 PLN
    paid(companies["sam"], "100.00", NEW_YORK_LAST_OF_NOVEMBER)  # 108.88 USD
    expected = {("PLN", dt.date(2026, 12, 1)): D("123.00"), ("USD", dt.date(2026, 11, 1)): D("108.88")}
    with time_machine.travel(LATER, tick=False):
        for rolled in (False, True):
            if rolled:
                rollups_refresh()
                assert rolled_until() is not None
            assert received(boss, AUTUMN) == expected, rolled
            assert received(boss, NOVEMBER) == {("USD", dt.date(2026, 11, 1)): D("108.88")}, rolled
            assert received(boss, DECEMBER) == {("PLN", dt.date(2026, 12, 1)): D("123.00")}, rolled
            # A range of one day: the company's day.
            assert received(boss, Range(dt.date(2026, 12, 1), dt.date(2026, 12, 1))) == {
                ("PLN", dt.date(2026, 12, 1)): D("123.00")}, rolled
            assert received(boss, Range(dt.date(2026, 11, 30), dt.date(2026, 11, 30))) == {
                ("USD", dt.date(2026, 11, 1)): D("108.88")}, rolled
    assert {(row.currency, row.day) for row in DailyRevenue.objects.all()} == {
        ("PLN", dt.date(2026, 12, 1)), ("USD", dt.date(2026, 11, 30))}


def test_the_dashboards_months_are_the_companys_too(companies):
    boss = companies["boss"]
    paid(companies["ola"], "100.00", WARSAW_FIRST_OF_DECEMBER)
    paid(companies["sam"], "100.00", NEW_YORK_LAST_OF_NOVEMBER)
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        figures = dashboard_figures(actor=boss, now=now, live=True)
    assert {currency: (month.payments, figures.last_month[currency].payments)
            for currency, month in figures.this_month.items()} == {
        "PLN": (D("123.00"), D(0)), "USD": (D(0), D("108.88"))}


def refunded(boss, span: Range) -> dict[tuple[str, dt.date], Decimal]:
    return by_day(boss, span, "refunds")


def test_a_credit_note_near_midnight_is_taken_off_its_companys_day(companies):
    boss = companies["boss"]
    november_the_tenth = dt.datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    warsaw_invoice = paid(companies["ola"], "100.00", november_the_tenth)
    new_york_invoice = paid(companies["sam"], "100.00", november_the_tenth)
    with time_machine.travel(WARSAW_FIRST_OF_DECEMBER, tick=False):
        warsaw_note = credit_note_issue(actor=None, invoice_id=warsaw_invoice.pk, net_amount="10.00").note
    with time_machine.travel(NEW_YORK_LAST_OF_NOVEMBER, tick=False):
        credit_note_issue(actor=None, invoice_id=new_york_invoice.pk, net_amount="10.00")  # −10.89
    assert "/12/" in warsaw_note.number  # numbered and printed as a December note
    expected = {("PLN", dt.date(2026, 12, 1)): D("12.30"), ("USD", dt.date(2026, 11, 1)): D("10.89")}
    with time_machine.travel(LATER, tick=False):
        for rolled in (False, True):
            if rolled:
                rollups_refresh()
                assert rolled_until() is not None
            assert refunded(boss, AUTUMN) == expected, rolled
            assert refunded(boss, Range(dt.date(2026, 12, 1), dt.date(2026, 12, 1))) == {
                ("PLN", dt.date(2026, 12, 1)): D("12.30")}, rolled
            assert refunded(boss, Range(dt.date(2026, 11, 30), dt.date(2026, 11, 30))) == {
                ("USD", dt.date(2026, 11, 1)): D("10.89")}, rolled
            # Tax collected: the note's VAT in the period it was dated in too.
            taxes = {(row.currency, row.period): row.tax for row in tax_report(actor=boss, span=AUTUMN).rates}
            assert taxes == {("PLN", dt.date(2026, 11, 1)): D("23.00"), ("PLN", dt.date(2026, 12, 1)): D("-2.30"),
                             ("USD", dt.date(2026, 11, 1)): D("8.88") - D("0.89")}, rolled
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        figures = dashboard_figures(actor=boss, now=now, live=True)
    assert {currency: (month.refunds, figures.last_month[currency].refunds)
            for currency, month in figures.this_month.items()} == {
        "PLN": (D("12.30"), D(0)), "USD": (D(0), D("10.89"))}
