"""NBP's rates through its API, against a local fake NBP on loopback: the last working day's table A
stored for the currencies billed in, e-invoices that waited for a rate made at once; a day without a
table stores nothing; NBP out of reach or answering nonsense is said in words; the job asks only when
allowed, and once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from clientpanel.core.errors import Conflict
from clientpanel.einvoices.models import EInvoice, EInvoiceStatus, VatExchangeRate
from clientpanel.einvoices.nbp import NbpUnavailable, job_fetch_nbp_rates, vat_exchange_rates_fetch
from clientpanel.einvoices.tests.test_einvoice_lifecycle import paid_invoice

pytestmark = pytest.mark.django_db

TABLES = {"2026-11-20": {"table": "A", "no": "225/A/NBP/2026", "effectiveDate": "2026-11-20", "rates": [
    {"currency": "euro", "code": "EUR", "mid": 4.2345}, {"currency": "dolar amerykański", "code": "USD", "mid": 3.9876},
    {"currency": "funt szterling", "code": "GBP", "mid": 5.0123}, {"currency": "dolar kanadyjski", "code": "CAD",
                                                                   "mid": 2.8765},
    {"currency": "forint (Węgry)", "code": "HUF", "mid": 0.010934}]}}


class FakeNbp:
    def __init__(self) -> None:
        self.answer_status = 0  # answer every request with this HTTP status instead
        self.garbage = False
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                day = self.path.split("/tables/A/")[-1].split("/")[0]
                if fake.answer_status:
                    self.send_response(fake.answer_status)
                    self.end_headers()
                    return
                if day not in TABLES:
                    self.send_response(404)
                    self.end_headers()
                    self.wfile.write(b"404 NotFound - Not Found - Brak danych")
                    return
                body = b"<html>maintenance</html>" if fake.garbage else json.dumps([TABLES[day]]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/api"


@pytest.fixture
def nbp(settings):
    fake = FakeNbp()
    settings.CLIENTPANEL_NBP_API_URL = fake.url
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


MONDAY = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)


def test_the_last_working_days_table_is_stored_and_waiting_einvoices_are_made(nbp, polish_company, make_client,
                                                                               staff):
    with time_machine.travel(MONDAY, tick=False):
        invoice = paid_invoice(make_client, currency="EUR")
        assert EInvoice.objects.get(document=invoice).status == EInvoiceStatus.FAILED
        day, changed = vat_exchange_rates_fetch(actor=staff)
    assert (day, changed) == (dt.date(2026, 11, 20), 4)  # EUR, USD, GBP, CAD: the currencies billed in
    eur = VatExchangeRate.objects.get(currency="EUR")
    assert (eur.rate, eur.table, eur.day) == (Decimal("4.2345"), "225/A/NBP/2026", dt.date(2026, 11, 20))
    assert not VatExchangeRate.objects.filter(currency="HUF").exists()
    made = EInvoice.objects.get(document=invoice)
    assert made.status == EInvoiceStatus.MADE and made.rate == Decimal("4.2345")
    with time_machine.travel(MONDAY, tick=False):
        assert vat_exchange_rates_fetch(actor=staff)[1] == 0  # the same table again changes nothing


def test_a_day_without_a_table_nbp_out_of_reach_or_nonsense_store_nothing(nbp, staff):
    with pytest.raises(Conflict, match="no table A for 2026-11-19"):
        vat_exchange_rates_fetch(actor=staff, day=dt.date(2026, 11, 19))
    nbp.answer_status = 503
    with pytest.raises(NbpUnavailable, match="HTTP 503"):
        vat_exchange_rates_fetch(actor=staff, day=dt.date(2026, 11, 20))
    nbp.answer_status, nbp.garbage = 0, True
    with pytest.raises(NbpUnavailable, match="not its table"):
        vat_exchange_rates_fetch(actor=staff, day=dt.date(2026, 11, 20))
    nbp.server.shutdown()
    nbp.server.server_close()
    with pytest.raises(NbpUnavailable, match="could not be reached"):
        vat_exchange_rates_fetch(actor=staff, day=dt.date(2026, 11, 20))
    assert not VatExchangeRate.objects.exists()


def test_the_job_asks_only_when_allowed_and_once(nbp, settings):
    assert job_fetch_nbp_rates(now=MONDAY) == {"rows": 0} and not nbp.requests
    settings.CLIENTPANEL_NBP_FETCH = True
    with time_machine.travel(MONDAY, tick=False):
        assert job_fetch_nbp_rates(now=MONDAY) == {"rows": 4}
        assert job_fetch_nbp_rates(now=MONDAY) == {"rows": 0}
    assert len(nbp.requests) == 1


def test_fetch_from_nbp_on_the_rates_page(nbp, staff_client):
    from django.urls import reverse

    with time_machine.travel(MONDAY, tick=False):
        page = staff_client.post(reverse("backoffice:finance-vat-rates-fetch"), follow=True).content.decode()
    assert "4 rates of 2026-11-20 fetched from NBP." in page and "225/A/NBP/2026" in page


def test_the_job_fetches_again_a_day_einvoices_still_wait_for(nbp, polish_company, make_client, settings):
    settings.CLIENTPANEL_NBP_FETCH = True
    with time_machine.travel(MONDAY, tick=False):
        invoice = paid_invoice(make_client, currency="EUR")  # waits for Friday 2026-11-20
    wednesday = MONDAY + dt.timedelta(days=2)
    with time_machine.travel(wednesday, tick=False):
        answer = job_fetch_nbp_rates(now=wednesday)  # Tuesday's table (none in the fake) and Friday's
    assert answer == {"rows": 4, "failed": 1}  # Friday fetched; Tuesday's table is not out (the fake has none)
    assert any("2026-11-20" in path for path in nbp.requests)
    assert EInvoice.objects.get(document=invoice).status == EInvoiceStatus.MADE
