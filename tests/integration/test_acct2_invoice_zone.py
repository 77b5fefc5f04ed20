"""A document is numbered and dated in one zone: its home company's at the moment it is issued,
kept in its company snapshot. A final invoice (issued when its proforma is paid) and a credit note
take the company's zone at their own issue, not their source's: staff who change the company's
zone between a proforma's issue and its payment get an invoice whose number's period, printed date
(PDF, pages) and tax report period agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientpanel.accounts.services import staff_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.pdf.layout import Layout
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.reports.reports import Range, tax_report
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db

D = Decimal
# 23:30 UTC on 30 November: 00:30 on 1 December in Warsaw, still 30 November in UTC.
NEAR_MIDNIGHT = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
NOVEMBER = Range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DECEMBER = Range(dt.date(2026, 12, 1), dt.date(2026, 12, 31))


@pytest.fixture
def company(db, settings):
    settings.TIME_ZONE = "UTC"
    company = default_home_company()
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return company


def _zone(company, name: str) -> None:
    home_company_save(actor=None, company_id=company.pk, data={"time_zone": name})


def _paid_invoice(company, *, issued_in: str, paid_in: str, at: dt.datetime = NEAR_MIDNIGHT) -> Document:
    """A proforma issued while the company's zone is `issued_in`, paid at `at` after staff moved it
    to `paid_in`: its final invoice."""
    from clientpanel.clients.services import client_create

    _zone(company, issued_in)
    client = client_create(actor=None, data=client_data(currency="PLN"))
    with time_machine.travel(at - dt.timedelta(days=3), tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    _zone(company, paid_in)
    with time_machine.travel(at, tick=False):
        proforma_pay(actor=None, document_id=proforma.pk, amount="123.00")
    proforma = Document.objects.get(pk=proforma.pk)
    assert proforma.company_snapshot["time_zone"] == issued_in  # the proforma keeps its own day
    return Document.objects.get(pk=proforma.related_id)


def _printed(document: Document) -> str:
    return Layout(document, language="en", locale="en").day(document.issue_date)


def _vat(actor, span) -> list[tuple[dt.date, Decimal]]:
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        return [(row.period, row.net) for row in tax_report(actor=actor, span=span).rates]


@pytest.fixture
def boss(db):
    return staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])


def test_zone_changed_to_warsaw_before_payment_number_date_and_report_all_say_december(company, boss):
    invoice = _paid_invoice(company, issued_in="UTC", paid_in="Europe/Warsaw")
    assert invoice.number.startswith("INV/2026/12/")
    assert invoice.company_snapshot["time_zone"] == "Europe/Warsaw"
    assert str(invoice.zone) == "Europe/Warsaw"
    assert _printed(invoice) == "2026-12-01"  # was 2026-11-30: the proforma's (UTC) day
    assert _vat(boss, DECEMBER) == [(dt.date(2026, 12, 1), D("100.00"))]
    assert _vat(boss, NOVEMBER) == []


def test_zone_changed_away_from_warsaw_before_payment_number_date_and_report_all_say_november(company, boss):
    invoice = _paid_invoice(company, issued_in="Europe/Warsaw", paid_in="UTC")
    assert invoice.number.startswith("INV/2026/11/")
    assert invoice.company_snapshot["time_zone"] == "UTC"
    assert _printed(invoice) == "2026-11-30"  # was 2026-12-01 under a November number
    assert _vat(boss, NOVEMBER) == [(dt.date(2026, 11, 1), D("100.00"))]
    assert _vat(boss, DECEMBER) == []


def test_the_rest_of_the_snapshot_is_still_the_proformas(company):
    invoice = _paid_invoice(company, issued_in="UTC", paid_in="Europe/Warsaw")
    proforma = Document.objects.get(type="PROFORMA", related=invoice)
    assert {k: v for k, v in invoice.company_snapshot.items() if k != "time_zone"} == \
        {k: v for k, v in proforma.company_snapshot.items() if k != "time_zone"}


def test_a_credit_note_takes_the_zone_of_its_own_issue(company, boss):
    invoice = _paid_invoice(company, issued_in="Europe/Warsaw", paid_in="Europe/Warsaw")
    assert invoice.number.startswith("INV/2026/12/")
    _zone(company, "UTC")
    # 23:30 UTC on 31 January: 1 February in Warsaw, but the company is on UTC now.
    with time_machine.travel(dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="10.00")
    note = Document.objects.get(pk=note.note.pk)
    assert note.number.startswith("CN/2027/01/")
    assert note.company_snapshot["time_zone"] == "UTC"
    assert _printed(note) == "2027-01-31"
    assert _vat(boss, Range(dt.date(2027, 1, 1), dt.date(2027, 1, 31))) == [(dt.date(2027, 1, 1), D("-10.00"))]
    assert Document.objects.get(pk=invoice.pk).company_snapshot["time_zone"] == "Europe/Warsaw"  # unchanged


def test_a_proforma_is_numbered_and_dated_in_the_zone_it_records(company):
    from clientpanel.clients.services import client_create

    _zone(company, "Europe/Warsaw")
    client = client_create(actor=None, data=client_data(currency="PLN"))
    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    assert proforma.number.startswith("PROFORMA/2026/12/")
    assert proforma.company_snapshot["time_zone"] == "Europe/Warsaw"
    assert _printed(proforma) == "2026-12-01"


def test_a_snapshot_without_a_zone_reads_in_the_servers(company, settings):
    assert str(Document(company_snapshot={}).zone) == "UTC"
    assert str(Document(company_snapshot={"time_zone": None}).zone) == "UTC"
    assert str(Document(company_snapshot={"time_zone": "No/Such_Zone"}).zone) == "UTC"


def test_staff_pages_show_the_day_the_number_says(company, boss, client):
    from django.urls import reverse

    invoice = _paid_invoice(company, issued_in="UTC", paid_in="Europe/Warsaw")
    _zone(company, "America/Los_Angeles")  # a later move changes nothing already issued
    client.force_login(boss)
    page = client.get(reverse("backoffice:document-detail", args=[invoice.pk])).content.decode()
    assert invoice.number in page and "2026-12-01 00:30" in page
    listing = client.get(reverse("backoffice:client-invoices", args=[invoice.client_id])).content.decode()
    assert "2026-12-01 00:30" in listing
    assert _printed(Document.objects.get(pk=invoice.pk)) == "2026-12-01"
