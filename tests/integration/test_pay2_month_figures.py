"""A month of a finance manager's books, checked figure by figure: two home companies in different
zones (Warsaw and New York), clients paying in PLN, EUR, USD and JPY, partial payments, a cancelled
partly paid proforma, credit notes, a transfer recorded in December as paid in November. Every
figure of the revenue, tax and aging reports, the dashboard and the CSV exports is compared with one
added up here from the documents and payments themselves, live and from the daily rollups; usage by
product, net of what credit notes gave back of the charged items, too."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import (
    credit_note_issue,
    proforma_add_funds,
    proforma_cancel,
    proforma_issue,
    proforma_pay,
)
from clientpanel.reports.dashboard import dashboard_figures
from clientpanel.reports.reports import Range, aging_report, revenue_report, tax_report
from clientpanel.reports.rollups import rollups_refresh
from clientpanel.reports.tests.companies import US_ADDRESS, warsaw_and_new_york
from conftest import client_data

pytestmark = pytest.mark.django_db

D = Decimal
UTC = dt.UTC
NOVEMBER = Range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 12, month: int = 11):
    return time_machine.travel(dt.datetime(2026, month, day, hour, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def month(db, settings):
    warsaw, new_york = warsaw_and_new_york(settings, ["PLN", "EUR", "USD", "JPY"])
    ola = client_create(actor=None, data=client_data(currency="PLN", firstname="Ola"))
    eva = client_create(actor=None, data=client_data(currency="EUR", firstname="Eva"))
    sam = client_create(actor=None, data=client_data(currency="USD", firstname="Sam", billing_address=US_ADDRESS))
    ken = client_create(actor=None, data=client_data(currency="JPY", firstname="Ken", billing_address=US_ADDRESS))
    Client.objects.filter(pk__in=[sam.pk, ken.pk]).update(home_company=new_york)

    def paid(client, net, day, hour=12, pay_day=None, paid_at=None):
        with at(day, hour):
            proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
        with at(*(pay_day or (day, hour))):
            proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total), paid_at=paid_at)
        return Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id)

    invoice = paid(ola, "1000.00", 3)
    with at(20):
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="100.00")
    paid(ola, "250.00", 30, 23)  # 00:00 on 1 December in Warsaw: December's VAT and December's money
    with at(10):
        partly = proforma_add_funds(actor=None, client_id=ola.pk, net_amount="500.00")  # 615.00
    with at(11):
        proforma_pay(actor=None, document_id=partly.pk, amount="200.00")
    with at(12):
        cancelled = proforma_add_funds(actor=None, client_id=ola.pk, net_amount="300.00")  # 369.00
    with at(13):
        proforma_pay(actor=None, document_id=cancelled.pk, amount="69.00")
    with at(14):
        proforma_cancel(actor=None, document_id=cancelled.pk, confirm_paid="69.00")
    paid(eva, "80.00", 5)
    with at(6):
        proforma_add_funds(actor=None, client_id=eva.pk, net_amount="40.00")  # owed, due 13 November
    usd = paid(sam, "200.00", 1, 4)  # 23:00 on 31 October in New York
    with at(25):
        credit_note_issue(actor=None, invoice_id=usd.pk, net_amount="50.00")
    paid(ken, "12000", 28)
    # A transfer booked on 30 November, recorded on 2 December.
    paid(ken, "5000", 29, pay_day=(2, 9, 12), paid_at=dt.datetime(2026, 11, 30, 3, tzinfo=UTC))
    return {"companies": {warsaw.pk: "Hostownia", new_york.pk: "Hosting Inc"}}


def _in_november(moment: dt.datetime, document: Document) -> bool:
    """The day of its home company's zone (the one kept on the document), as the reports read it."""
    return NOVEMBER.since <= moment.astimezone(document.zone).date() <= NOVEMBER.until


def _expected_revenue():
    payments, notes = defaultdict(lambda: D(0)), defaultdict(lambda: D(0))
    for payment in Payment.objects.select_related("document"):
        if _in_november(payment.paid_at, payment.document):
            payments[payment.document.currency, payment.document.home_company.name] += payment.gross
    for note in Document.objects.filter(type=DocumentType.CREDIT_NOTE):
        if _in_november(note.issue_date, note):
            notes[note.currency, note.home_company.name] -= note.total
    return payments, notes


def _check_revenue(boss):
    payments, notes = _expected_revenue()
    report = revenue_report(actor=boss, span=NOVEMBER)
    by_company = {(row.currency, row.key): (row.payments, row.refunds) for row in report.by_company}
    assert by_company == {key: (payments[key], notes[key]) for key in {*payments, *notes}}
    totals = {row.currency: (row.payments, row.refunds) for row in report.totals}
    expected = defaultdict(lambda: [D(0), D(0)])
    for (currency, _company), amount in payments.items():
        expected[currency][0] += amount
    for (currency, _company), amount in notes.items():
        expected[currency][1] += amount
    assert totals == {currency: tuple(pair) for currency, pair in expected.items()}
    return totals


def test_every_report_figure_is_the_documents_own(month, client):
    boss = staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])
    with time_machine.travel(NOW, tick=False):
        totals = _check_revenue(boss)
        assert totals == {"EUR": (D("98.40"), D(0)), "JPY": (D("13065") + D("5444"), D(0)),
                          "PLN": (D("1230.00") + D("200.00") + D("69.00"), D("123.00")),
                          "USD": (D("217.75"), D("54.44"))}
        dashboard = dashboard_figures(actor=boss, now=NOW, live=True)
        november = {currency: (months[-2].payments, months[-2].refunds)
                    for currency, months in dashboard.revenue.items()}
        assert november == totals
        # Tax: each document in the month its company dated it.
        vat = {(row.company, row.currency): (row.net, row.tax) for row in tax_report(actor=boss, span=NOVEMBER).rates}
        assert vat == {("Hostownia", "PLN"): (D("900.00"), D("207.00")),
                       ("Hostownia", "EUR"): (D("80.00"), D("18.40")),
                       ("Hosting Inc", "USD"): (D("150.00"), D("13.31")),
                       ("Hosting Inc", "JPY"): (D("12000"), D("1065"))}  # the transfer's invoice: December's
        # Aging: what is owed on the unpaid proformas, per currency.
        owed = defaultdict(lambda: D(0))
        for document in Document.objects.filter(status=DocumentStatus.UNPAID):
            owed[document.currency] += document.total - document.paid_gross
        aging = {line.currency: line.amount for line in aging_report(actor=boss, now=NOW).lines}
        assert aging == dict(owed) == {"PLN": D("415.00"), "EUR": D("49.20")}
        assert {row.currency: row.total for row in dashboard.owing} == aging
        rollups_refresh(until=NOW)
        assert _check_revenue(boss) == totals
        assert {(row.company, row.currency): (row.net, row.tax)
                for row in tax_report(actor=boss, span=NOVEMBER).rates} == vat
        client.force_login(boss)
        export = client.get(reverse("backoffice:finance-report-revenue-export"),
                            {"since": "2026-11-01", "until": "2026-11-30", "part": "company"})
        rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))[1:]
        payments, notes = _expected_revenue()
        assert {(row[0], row[1]): (D(row[2]), D(row[3]), D(row[4])) for row in rows} == {
            (company, currency): (payments[currency, company], notes[currency, company],
                                  payments[currency, company] - notes[currency, company])
            for currency, company in {*payments, *notes}}


def _sold(client, product, items, day, month=11):
    """A proforma of `items` (description, net, with the product's service or not) paid in full."""
    service = Service.objects.create(
        client=client, product=product, label=f"V{client.currency}", currency=client.currency,
        period="MONTHLY", amount=D(1), order_date=NOW, activation_date=NOW, setup_fee=D(0),
        status=ServiceStatus.ACTIVE, provision_status=ProvisionStatus.COMPLETED)
    with at(day, month=month):
        proforma = proforma_issue(actor=None, client_id=client.pk, items=[
            {"description": description, "unit_price": net, **({"service_id": service.pk} if of_service else {})}
            for description, net, of_service in items])
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    return Document.objects.get(pk=proforma.pk).related_id


def test_usage_by_product_nets_the_credit_notes_live_and_from_the_rollups(month):
    """Items charged when their invoice is paid, and given back by a credit note: the note's charge
    reversal goes to the products of the invoice's charged items, pro rata to their net, in the
    month the note was issued — the same live and from the rollups, however they are split."""
    boss = staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])
    vps = Product.objects.create(key="vps", name="VPS", module="manual")
    ola, eva, ken = (Client.objects.get(currency=currency) for currency in ("PLN", "EUR", "JPY"))
    invoice = _sold(ola, vps, [("VPS, one month", "100.00", True), ("Setup work", "50.00", False)], 15)
    with at(22):
        credit_note_issue(actor=None, invoice_id=invoice, net_amount="60.00")  # 40.00 VPS, 20.00 setup
    invoice = _sold(eva, vps, [("VPS, one month", "50.00", True)], 20, month=10)  # charged in October
    with at(10):
        credit_note_issue(actor=None, invoice_id=invoice, net_amount="20.00")
    invoice = _sold(ken, vps, [("VPS, one month", "1000", True), ("Work", "500", False)], 16)
    with at(24):
        credit_note_issue(actor=None, invoice_id=invoice, net_amount="301")  # 200.67 : 100.33 → 201 : 100 yen
    expected = [("EUR", "VPS", 0, D("-20.00"), D("20.00")),
                ("JPY", "VPS", 1, D("799"), D("201")), ("JPY", None, 1, D("400"), D("100")),
                ("PLN", "VPS", 1, D("60.00"), D("40.00")), ("PLN", None, 1, D("30.00"), D("20.00"))]

    def usage() -> list[tuple]:
        return [(u.currency, u.product, u.charges, u.amount, u.reversed)
                for u in revenue_report(actor=boss, span=NOVEMBER).by_product]

    with time_machine.travel(NOW, tick=False):
        assert usage() == expected
        for until in (dt.datetime(2026, 11, 20, tzinfo=UTC), NOW):  # the first note rolled up, then all
            rollups_refresh(until=until)
            assert usage() == expected, until
