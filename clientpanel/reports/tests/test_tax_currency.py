"""Finance → Reports → Tax collected in the seller's tax currency: a Polish company's invoices and
credit notes in euros and dollars count their net and VAT in PLN too — each document's own
conversion (the rate its e-invoice kept, else the NBP rate of the last working day before its
issue; a credit note at its invoice's rate), rounded per document, never at a later day's rate —
live, from the rollups, for limited staff, on the page and in the CSV. A document whose rate is not
known yet says so, and counts once the rate is entered."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.einvoices.models import EInvoice, VatExchangeRate
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.reports.models import DailyTax, UnconvertedTaxDocument
from clientpanel.reports.reports import Range, tax_report
from clientpanel.reports.rollups import rolled_until, rollups_refresh
from conftest import client_data

from .companies import US_ADDRESS, warsaw_and_new_york
from .test_reports import admin, limited_to

pytestmark = pytest.mark.django_db

D = Decimal
UTC = dt.UTC
NOVEMBER = Range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
ISSUED = dt.datetime(2026, 11, 17, 10, 0, tzinfo=UTC)  # a Tuesday: the rate of Monday the 16th
CORRECTED = dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday: Monday the 23rd has another rate
LATER = dt.datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def invoice_of(client, net: str, moment: dt.datetime = ISSUED) -> Document:
    with time_machine.travel(moment, tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    return Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id)


def rate(currency: str, day: dt.date, value: str) -> VatExchangeRate:
    return VatExchangeRate.objects.create(currency=currency, to_currency="PLN", day=day, rate=D(value),
                                          table="222/A/NBP/2026")


@pytest.fixture
def sales(db, settings):
    _warsaw, new_york = warsaw_and_new_york(settings, ["PLN", "EUR", "USD"])
    rate("EUR", dt.date(2026, 11, 16), "4.2563")
    rate("EUR", dt.date(2026, 11, 23), "4.3100")  # the credit note's own day: not its rate
    ola = client_create(actor=None, data=client_data(currency="PLN", firstname="Ola"))
    eva = client_create(actor=None, data=client_data(currency="EUR", firstname="Eva"))
    udo = client_create(actor=None, data=client_data(currency="USD", firstname="Udo"))
    sam = client_create(actor=None, data=client_data(currency="USD", firstname="Sam", billing_address=US_ADDRESS))
    Client.objects.filter(pk=sam.pk).update(home_company=new_york)
    invoice_of(ola, "100.00")  # PLN: its own figures
    eur = invoice_of(eva, "100.00")  # 23.00 EUR of VAT
    with time_machine.travel(CORRECTED, tick=False):
        credit_note_issue(actor=None, invoice_id=eur.pk, net_amount="10.00")  # −2.30 EUR of VAT
    # An invoice whose e-invoice kept 4.3000: its rate, whatever was entered for the day.
    kept = invoice_of(eva, "200.00")
    EInvoice.objects.create(document=kept, format="ksef_fa3", status="MADE", sha256="0" * 64, rate=D("4.3000"),
                            rate_day=dt.date(2026, 11, 16))
    invoice_of(udo, "50.00")  # USD: no rate entered for the 16th
    invoice_of(sam, "100.00")  # a US seller: no tax currency
    return {"eva": eva, "udo": udo}


def pln(report) -> dict[tuple, tuple]:
    return {(row.company, row.currency): (row.tax_currency, row.documents, row.net_in_tax_currency,
                                          row.tax_in_tax_currency, row.unconverted) for row in report.rates}


# Per document, then added up: 100 × 4.2563 = 425.63 and 23.00 × 4.2563 = 97.89 (97.8949); the note at
# its invoice's rate: −10 × 4.2563 = −42.56, −2.30 × 4.2563 = −9.79 (−9.78949); the kept rate: 860.00
# and 197.80. (The month's VAT converted at once would be 20.70 × 4.2563 = 88.11, not 88.10.)
EXPECTED = {("Hostownia", "PLN"): ("PLN", 1, D("100.00"), D("23.00"), 0),
            ("Hostownia", "EUR"): ("PLN", 3, D("425.63") - D("42.56") + D("860.00"),
                                   D("97.89") - D("9.79") + D("197.80"), 0),
            ("Hostownia", "USD"): ("PLN", 1, D(0), D(0), 1),
            ("Hosting Inc", "USD"): ("", 1, D(0), D(0), 0)}


def test_tax_in_the_tax_currency_is_each_documents_own_conversion(sales):
    boss = admin()
    with time_machine.travel(LATER, tick=False):
        live = tax_report(actor=boss, span=NOVEMBER)
        assert pln(live) == EXPECTED
        assert pln(tax_report(actor=limited_to(sales["eva"]), span=NOVEMBER)) == {
            ("Hostownia", "EUR"): EXPECTED["Hostownia", "EUR"]}
        rollups_refresh()
        assert rolled_until() is not None
        assert tax_report(actor=boss, span=NOVEMBER) == live
        assert [(r.tax_currency, r.country, r.name, r.documents, r.net, r.tax, r.unconverted)
                for r in live.in_tax_currency] == [("PLN", "PL", "VAT", 5, D("100.00") + D("1243.07"),
                                                    D("23.00") + D("285.90"), 1)]
        # A rate corrected (or entered for another day) later changes nothing converted.
        VatExchangeRate.objects.filter(currency="EUR").update(rate=D("5.0000"))
        assert pln(tax_report(actor=boss, span=NOVEMBER)) == EXPECTED


def test_a_document_without_its_rate_counts_once_the_rate_is_entered(sales):
    boss = admin()
    with time_machine.travel(LATER, tick=False):
        rollups_refresh()
        udo = Document.objects.get(client=sales["udo"], type="INVOICE")
        assert list(UnconvertedTaxDocument.objects.values_list("document_id", flat=True)) == [udo.pk]
        rate("USD", dt.date(2026, 11, 16), "4.0125")  # 50 × 4.0125 = 200.63 (200.625), 11.50 × = 46.14
        converted = ("PLN", 1, D("200.63"), D("46.14"), 0)
        assert pln(tax_report(actor=boss, span=NOVEMBER))["Hostownia", "USD"] == converted  # before the job runs
        rollups_refresh(until=LATER)
        assert not UnconvertedTaxDocument.objects.exists()
        row = DailyTax.objects.get(currency="USD", tax_currency="PLN")
        assert (row.net_in_tax_currency, row.tax_in_tax_currency, row.unconverted) == (D("200.63"), D("46.14"), 0)
        assert pln(tax_report(actor=boss, span=NOVEMBER))["Hostownia", "USD"] == converted


def test_the_page_and_its_csv_show_the_tax_currency(sales, client):
    query = {"since": "2026-11-01", "until": "2026-11-30"}
    with time_machine.travel(LATER, tick=False):
        client.force_login(admin())
        page = client.get("/staff/finance/reports/tax/", query).content.decode()
        assert "Tax in the tax currency" in page and "Documents without a rate" in page
        assert "without a rate</td>" not in page  # no words in an amount cell
        assert "PLN\xa01,243.07" in page or "PLN 1,243.07" in page
        assert '<td class="text-nowrap cp-card-head">2026-11</td>' in page  # a period stays on one line
        response = client.get("/staff/finance/reports/tax/export/", {**query, "part": "rates"})
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[0][-4:] == ["Tax currency", "Net in tax currency", "Tax in tax currency",
                                "Documents without a rate"]
        assert ["2026-11", "Hostownia", "EUR", "PL", "VAT", "23", "3", "290.00", "66.70", "PLN", "1243.07",
                "285.90", ""] in rows
        # Waiting for its rate: the amounts empty, the count in its own column.
        assert ["2026-11", "Hostownia", "USD", "PL", "VAT", "23", "1", "50.00", "11.50", "PLN", "", "", "1"] in rows
        assert ["2026-11", "Hosting Inc", "USD", "US", "Sales tax", "8.875", "1", "100.00", "8.88", "", "", "",
                ""] in rows
        response = client.get("/staff/finance/reports/tax/export/", {**query, "part": "tax_currency"})
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows == [["Period", "Home company", "Tax currency", "Country", "Tax", "Rate", "Documents", "Net",
                         "Tax amount", "Documents without a rate"],
                        ["2026-11", "Hostownia", "PLN", "PL", "VAT", "23", "5", "", "", "1"]]


def test_the_documents_are_read_in_chunks_with_the_same_figures(sales, monkeypatch):
    """A year of foreign-currency invoices is never read into memory at once: the rows come through
    QuerySet.iterator, CHUNK at a time (here 1), and the figures are the same."""
    from django.db.models.query import QuerySet

    from clientpanel.reports import tax_currency

    boss = admin()
    with time_machine.travel(LATER, tick=False):
        whole = pln(tax_report(actor=boss, span=NOVEMBER))
        at_once = tax_currency.converted_by(Document.objects.all())
    fetch_all = QuerySet._fetch_all

    def no_whole_list(self):
        assert "related__einvoice__rate" not in (self._fields or ()), "the documents to convert were read whole"
        return fetch_all(self)

    monkeypatch.setattr(tax_currency, "CHUNK", 1, raising=False)
    monkeypatch.setattr(QuerySet, "_fetch_all", no_whole_list)
    with time_machine.travel(LATER, tick=False):
        chunked = tax_currency.converted_by(Document.objects.all())
        assert pln(tax_report(actor=boss, span=NOVEMBER)) == whole
    assert (chunked.sums, chunked.waiting, chunked.converted) == (at_once.sums, at_once.waiting, at_once.converted)
    assert chunked.converted and chunked.waiting
