"""Finance → Reports → Aging lists each unpaid document's issue and due days as the document prints
them — in the zone its home company dated it in (kept on it at issue), as Finance → Documents lists
them — not the server's: a Tokyo proforma issued at 05:00 on 1 December (30 November in UTC), numbered
…/12/…, was listed as issued on 30 November, on the page and in its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save
from conftest import client_data

pytestmark = pytest.mark.django_db

FIVE_AM_FIRST_DECEMBER_IN_TOKYO = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)


def test_aging_lists_the_days_printed_on_the_document(staff_client, settings):
    settings.TIME_ZONE = "UTC"
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "Tokyo KK", "time_zone": "Asia/Tokyo"})
    client = client_create(actor=None, data=client_data(currency="JPY", firstname="Aiko"))
    with time_machine.travel(FIVE_AM_FIRST_DECEMBER_IN_TOKYO, tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="12000")
    assert "/12/" in proforma.number
    due = proforma.due_date.astimezone(dt.timezone(dt.timedelta(hours=9))).date().isoformat()
    with time_machine.travel(FIVE_AM_FIRST_DECEMBER_IN_TOKYO + dt.timedelta(days=1), tick=False):
        page = staff_client.get(reverse("backoffice:finance-report-aging")).content.decode()
        export = staff_client.get(reverse("backoffice:finance-report-aging-export"), {"part": "documents"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    header, [row] = rows[0], rows[1:]
    listed = dict(zip(header, row, strict=True))
    assert (listed["Number"], listed["Issue Date"], listed["Due Date"]) == (proforma.number, "2026-12-01", due)
    assert "2026-12-01" in page and "2026-11-30" not in page
