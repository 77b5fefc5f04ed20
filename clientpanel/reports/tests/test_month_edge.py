"""The dashboard's months and the revenue report's default range are the default home company's:
at 23:45 UTC on 30 September it is 1 October in Warsaw, and the money paid then is October's — the
months shown end with October, not September (the October money shown in no month)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.reports.dashboard import dashboard_figures, month_starts
from clientpanel.reports.reports import default_range
from conftest import client_data

from .companies import warsaw_and_new_york
from .test_tax_currency import admin

pytestmark = pytest.mark.django_db

EDGE = dt.datetime(2026, 9, 30, 23, 45, tzinfo=dt.UTC)  # 01:45 on 1 October in Warsaw


def test_the_months_are_the_home_companys_at_the_edge_of_a_month(settings):
    warsaw_and_new_york(settings, ["PLN"])
    ola = client_create(actor=None, data=client_data(currency="PLN", firstname="Ola"))
    boss = admin()
    with time_machine.travel(EDGE, tick=False):
        proforma = proforma_add_funds(actor=None, client_id=ola.pk, net_amount="100.00")
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        assert month_starts(EDGE)[-1] == dt.date(2026, 10, 1)
        figures = dashboard_figures(live=True, actor=boss, now=EDGE)
    assert figures.revenue["PLN"][-1].start == dt.date(2026, 10, 1)
    assert figures.this_month["PLN"].revenue == Decimal("123.00")
    span = default_range(EDGE)
    assert (span.since, span.until) == (dt.date(2025, 11, 1), dt.date(2026, 10, 1))
