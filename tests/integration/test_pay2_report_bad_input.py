"""Finance → Reports read their dates, period and currency from the address: a range at the edges
of the calendar (year 1, year 9999), reversed, or too long, and an unknown currency are answered
with a page saying why (or an empty report), never a 500 — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

QUERIES = [
    {"since": "0001-01-01", "until": "0001-01-31"},
    {"since": "0001-01-01", "until": "0001-12-31", "by": "quarter"},
    {"since": "9999-12-01", "until": "9999-12-31"},
    {"since": "9999-01-01", "until": "9999-12-31", "by": "quarter"},
    {"since": "9999-12-31"},
    {"until": "0001-01-01"},
    {"since": "2026-12-31", "until": "2026-01-01"},
    {"since": "1900-01-01", "until": "2026-01-01"},
    {"since": "2026-02-30"},
    {"currency": "XYZ"},
    {"currency": "€€€"},
    {"currency": "eur"},
    {"by": "year"},
    {"company": "99999999999999999999"},
    {"group": "-1"},
]


@pytest.mark.parametrize("slug", ["revenue", "tax", "aging", "balances"])
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_a_report_answers_bad_or_extreme_filters_without_a_server_error(staff_client, slug, query):
    for name in (f"backoffice:finance-report-{slug}", f"backoffice:finance-report-{slug}-export"):
        response = staff_client.get(reverse(name), query)
        assert response.status_code in (200, 302, 400), (name, query, response.status_code)


def test_a_day_out_of_the_reports_reach_is_refused_with_the_days_it_may_be(staff_client):
    response = staff_client.get(reverse("backoffice:finance-report-tax"), {"since": "9999-12-01",
                                                                          "until": "9999-12-31"})
    assert response.status_code == 400
    assert "Use a date from 1900-01-01 to 2199-12-31." in response.content.decode()
