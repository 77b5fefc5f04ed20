"""Finance → Reports (issue 14) on a known data set written through the real services: revenue by
period, home company, group and product (usage); tax collected per rate and country with a
reverse-charge sale apart; aging of unpaid documents; balances and credit by group. Two currencies
never added together, refunds taken off, limited staff seeing their clients' figures only, a
constant number of queries — and the pages: filters refused with a 400 and a reason, CSV exports
of what the page shows, 403 without the Finance area."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import Client, ClientBalance, StaffAssignment
from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.reports.dashboard import dashboard_refresh
from clientpanel.reports.reports import (
    DAYS_30,
    DAYS_60,
    NO_GROUP,
    NOT_DUE,
    Filters,
    Range,
    aging_report,
    balances_report,
    revenue_report,
    tax_report,
)
from clientpanel.tax.models import HomeCompany
from conftest import client_data

pytestmark = pytest.mark.django_db

D = Decimal


def admin():
    return staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])


def limited_to(client):
    staff = staff_create(email="limited@example.com", password="correct-horse-battery", firstname="L", lastname="L",
                         roles=["Administrator"], limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=staff, client=client)
    return staff


def _this_period(rows, today):
    return next(row for row in rows if row.key == today.replace(day=1))


def test_revenue_is_payments_less_credit_notes_per_currency_by_period_company_and_group(book):
    report = revenue_report(actor=admin(), span=book["range"])
    assert set(report.by_period) == {"USD", "EUR"}  # never one figure across currencies
    usd = _this_period(report.by_period["USD"], book["today"])
    eur = _this_period(report.by_period["EUR"], book["today"])
    # 123.00 + 184.50 + 20.00 + 36.90 paid, 61.50 refunded; 123.00 + 200.00 paid, 50.00 refunded.
    assert (usd.payments, usd.refunds, usd.revenue) == (D("364.40"), D("61.50"), D("302.90"))
    assert (eur.payments, eur.refunds, eur.revenue) == (D("323.00"), D("50.00"), D("273.00"))
    assert len(report.by_period["USD"]) == 14 and sum(r.revenue for r in report.by_period["USD"]) == D("302.90")
    assert {(t.currency, t.revenue) for t in report.totals} == {("USD", D("302.90")), ("EUR", D("273.00"))}
    assert [(r.currency, r.key, r.payments, r.refunds) for r in report.by_company] == [
        ("EUR", "PUQ", D("323.00"), D("50.00")), ("USD", "PUQ", D("364.40"), D("61.50"))]
    assert [(r.currency, r.key, r.revenue) for r in report.by_group] == [
        ("EUR", "VIP", D("150.00")), ("EUR", None, D("123.00")), ("USD", "VIP", D("302.90"))]


def test_revenue_shows_its_net_and_tax_beside_the_gross_per_currency(book):
    report = revenue_report(actor=admin(), span=book["range"])
    usd = _this_period(report.by_period["USD"], book["today"])
    eur = _this_period(report.by_period["EUR"], book["today"])
    # USD nets: 100.00 + 150.00 + 16.2602 (the part payment of 20.00 on a 61.50 proforma) + 30.00 paid,
    # 50.00 refunded. EUR: 100.00 + 200.00 (reverse charge: no tax) paid, 50.00 refunded (no tax).
    assert (usd.revenue, usd.net, usd.tax) == (D("302.90"), D("246.2602"), D("56.6398"))
    assert (eur.revenue, eur.net, eur.tax) == (D("273.00"), D("250.00"), D("23.00"))
    assert {(t.currency, t.net, t.tax) for t in report.totals} == {("USD", D("246.2602"), D("56.6398")),
                                                                  ("EUR", D("250.00"), D("23.00"))}
    assert [(r.currency, r.key, r.net, r.tax) for r in report.by_group] == [
        ("EUR", "VIP", D("150.00"), D(0)), ("EUR", None, D("100.00"), D("23.00")),
        ("USD", "VIP", D("246.2602"), D("56.6398"))]
    assert [(r.currency, r.net) for r in report.by_company] == [("EUR", D("250.00")), ("USD", D("246.2602"))]


def test_revenue_by_quarter_and_outside_the_range(book):
    boss = admin()
    quarters = revenue_report(actor=boss, span=Range(book["today"] - dt.timedelta(days=200), book["today"], "quarter"))
    this = quarters.by_period["USD"][-1]
    assert this.key.month in (1, 4, 7, 10) and this.revenue == D("302.90")
    tomorrow = book["today"] + dt.timedelta(days=1)
    assert revenue_report(actor=boss, span=Range(tomorrow, tomorrow + dt.timedelta(days=30))).by_period == {}


def test_usage_by_product_is_the_charges_posted_to_its_services(book):
    report = revenue_report(actor=admin(), span=book["range"])
    # The VPS: 10.00 charged when its invoice was paid and 5.00 by billing; the setup work, sold
    # outside a service, 20.00. Top-ups are no product's: they only fund the balance.
    assert [(u.currency, u.product, u.charges, u.amount) for u in report.by_product] == [
        ("USD", "VPS", 2, D("15.00")), ("USD", None, 1, D("20.00"))]


def test_revenue_filters_by_company_group_and_currency(book):
    boss = admin()
    other = HomeCompany.objects.create(name="Other Ltd", country="GB")
    assert revenue_report(actor=boss, span=book["range"], filters=Filters(company=other.pk)).by_period == {}
    vip = revenue_report(actor=boss, span=book["range"], filters=Filters(group=book["vip"].pk, currency="EUR"))
    assert [(r.key, r.revenue) for r in vip.by_group] == [("VIP", D("150.00"))] and vip.by_product == []
    alone = revenue_report(actor=boss, span=book["range"], filters=Filters(group=NO_GROUP))
    assert [(r.currency, r.key, r.revenue) for r in alone.by_group] == [("EUR", None, D("123.00"))]


def test_tax_collected_per_rate_and_country_with_reverse_charge_apart(book):
    report = tax_report(actor=admin(), span=book["range"])
    month = book["today"].replace(day=1)
    # USD: invoices of 100, 150 and 30 net at 23% (23.00 + 34.50 + 6.90), less the note of −50 / −11.50.
    # EUR: Bea's invoice of 100 / 23.00; Kraft's reverse-charge sale of 200 less its note of −50.
    assert [(r.period, r.company, r.currency, r.country, r.name, r.rate, r.documents, r.net, r.tax)
            for r in report.rates] == [
        (month, "PUQ", "EUR", "PL", "VAT", D("23"), 1, D("100.00"), D("23.00")),
        (month, "PUQ", "USD", "PL", "VAT", D("23"), 4, D("230.00"), D("52.90"))]
    assert [(r.currency, r.country, r.documents, r.net) for r in report.reverse_charge] == [
        ("EUR", "DE", 2, D("150.00"))]
    assert report.untaxed == []
    assert report.tax_by_period["USD"][-1] == (month, D("52.90"))


def test_aging_puts_what_is_due_in_buckets_per_currency(book):
    boss = admin()
    now = aging_report(actor=boss, now=book["now"])
    lines = {line.currency: line for line in now.lines}
    usd = {b.key: (b.count, b.amount) for b in lines["USD"].buckets}
    assert usd[NOT_DUE] == (1, D("41.50")) and lines["USD"].amount == D("41.50")  # 61.50 less 20.00 paid
    assert {b.key: b.amount for b in lines["EUR"].buckets}[NOT_DUE] == D("123.00")
    assert [(d.number, d.due) for d in now.documents if d.currency == "USD"] == [(book["owed"].number, D("41.50"))]
    # Due 7 days after issue (a moment after book["now"]): 10 days on, late by 2 whole days and some hours.
    week_late = aging_report(actor=boss, now=book["now"] + dt.timedelta(days=10))
    assert {b.key: b.count for b in week_late.lines[1].buckets}[DAYS_30] == 1
    assert all(d.days_overdue == 2 and d.bucket == DAYS_30 for d in week_late.documents)
    later = aging_report(actor=boss, now=book["now"] + dt.timedelta(days=45))
    assert [(line.currency, {b.key: b.amount for b in line.buckets}[DAYS_60]) for line in later.lines] == [
        ("EUR", D("123.00")), ("USD", D("41.50"))]
    assert later.count == 2


def test_balances_and_credit_by_group(book):
    boss = admin()
    rows = balances_report(actor=boss).rows
    # Ada: 100 + 150 topped up, 50 refunded, 20.00 paid of which 16.2602 net, 5.00 charged;
    # Kraft: 200 − 50; Bea: 100 − 130.
    assert [(g.currency, g.group, g.clients, g.balance, g.credit_used, g.in_debit, g.credit_limit) for g in rows] == [
        ("EUR", "VIP", 1, D("150.00"), 0, 0, 0), ("EUR", None, 1, D("-30.00"), D("30.00"), 1, D("50.00")),
        ("USD", "VIP", 1, D("211.2602"), 0, 0, D("100.00"))]
    assert Client.objects.get(pk=book["ada"].pk).balance == D("211.2602")
    only = balances_report(actor=boss, filters=Filters(currency="EUR", group=NO_GROUP)).rows
    assert [g.group for g in only] == [None]


def test_balances_over_every_client_are_the_dashboard_jobs_figures_as_of_its_last_run(book):
    boss = admin()
    first = balances_report(actor=boss)
    assert first.as_of is not None
    ClientBalance.objects.filter(pk=book["bea"].pk).update(balance=D("-40.00"))  # as a charge would, between two runs
    assert balances_report(actor=boss).rows == first.rows  # as of the last run, which the page says
    live = {(g.currency, g.group): g.credit_used for g in balances_report(actor=boss, live=True).rows}
    assert live[("EUR", None)] == D("40.00")
    later = first.as_of + dt.timedelta(minutes=10)
    dashboard_refresh(now=later)
    again = balances_report(actor=boss)
    assert again.as_of == later and {(g.currency, g.group): g.credit_used for g in again.rows} == live
    # Staff limited to their clients get theirs added up now.
    assert balances_report(actor=limited_to(book["bea"])).as_of is None


def test_limited_staff_see_only_their_clients_figures(book):
    limited = limited_to(book["bea"])
    revenue = revenue_report(actor=limited, span=book["range"])
    assert set(revenue.by_period) == {"EUR"} and [(r.key, r.revenue) for r in revenue.by_group] == [(None, D("123.00"))]
    assert revenue.by_product == []
    tax = tax_report(actor=limited, span=book["range"])
    assert [(r.currency, r.tax) for r in tax.rates] == [("EUR", D("23.00"))] and tax.reverse_charge == []
    assert [line.currency for line in aging_report(actor=limited, now=book["now"]).lines] == ["EUR"]
    assert [(g.currency, g.clients) for g in balances_report(actor=limited).rows] == [("EUR", 1)]


def test_staff_without_finance_see_no_figures(book):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="S",
                           lastname="S", roles=["Support"])
    assert revenue_report(actor=support, span=book["range"]).by_period == {}
    assert balances_report(actor=support).rows == [] and aging_report(actor=support, now=book["now"]).lines == []


def test_the_number_of_queries_does_not_grow_with_the_data(book):
    from clientpanel.accounts.models import User

    boss = admin()
    balances_report(actor=boss)  # the first call keeps the figures the dashboard's job then refreshes

    def count() -> list[int]:
        actor = User.objects.get(pk=boss.pk)
        counts = []
        for run in (lambda: revenue_report(actor=actor, span=book["range"]),
                    lambda: tax_report(actor=actor, span=book["range"]),
                    lambda: aging_report(actor=actor, now=book["now"]),
                    lambda: balances_report(actor=actor)):
            with CaptureQueriesContext(connection) as queries:
                run()
            counts.append(len(queries.captured_queries))
        return counts

    before = count()
    for n in range(4):
        client = client_create(actor=None, data=client_data(currency="PLN"))
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=f"{10 + n}.00")
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        proforma_add_funds(actor=None, client_id=client.pk, net_amount="5.00")
    assert count() == before
    # The actor's areas (first call only), the rollups' state, the zones the payments and credit
    # notes were dated in, the GROUP BY queries (live — one per zone —, and over the rollups once the
    # job has run) and the names of the companies, groups and products found.
    assert max(before) <= 12


# --- the pages -------------------------------------------------------------------------------

def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_report_pages_show_the_figures_and_a_chart(book, client):
    client.force_login(admin())
    since, until = book["range"].since, book["range"].until
    query = f"?since={since}&until={until}"
    page = client.get(f"/staff/finance/reports/revenue/{query}").content.decode()
    assert "<svg" in page and "302.90" in page and "273.00" in page and "VPS" in page
    assert "Revenue (net)" in page and "246.2602" in page and "56.6398" in page
    page = client.get(f"/staff/finance/reports/tax/{query}").content.decode()
    assert "52.90" in page and "Reverse charge" in page and "150.00" in page
    page = client.get("/staff/finance/reports/aging/").content.decode()
    assert book["owed"].number in page and reverse("backoffice:document-detail", args=[book["owed"].pk]) in page
    page = client.get("/staff/finance/reports/balances/").content.decode()
    assert "211.2602" in page and "VIP" in page
    index = client.get("/staff/finance/reports/").content.decode()
    assert "/staff/finance/reports/revenue/" in index and "/staff/finance/reports/balances/" in index


@pytest.mark.parametrize("query, message", [
    ("since=2025-13-01", "Use a date such as 2025-01-31"),
    ("since=2025-02-01&until=2025-01-01", "ends before it starts"),
    ("since=2000-01-01&until=2025-01-01", "at most 120 months"),
    ("by=week", "Choose month or quarter"),
    ("company=abc", "Choose a home company from the list"),
    ("company=999999", "Choose a home company from the list"),
    ("company=%C2%B2", "Choose a home company from the list"),  # '²': a digit to str.isdigit, not to int()
    ("company=" + "9" * 5000, "Choose a home company from the list"),
    ("group=-1", "Choose a group from the list"),
    ("group=%C2%B2", "Choose a group from the list"),
    ("currency=dollars", "three-letter currency code"),
    ("since=%00", "control characters"),
])
def test_a_bad_filter_is_refused_with_a_reason_not_a_500(book, client, query, message):
    client.force_login(admin())
    response = client.get(f"/staff/finance/reports/revenue/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client.get(f"/staff/finance/reports/revenue/export/?{query}")
    assert export.status_code == 302 and export["Location"].startswith("/staff/finance/reports/revenue/?")


def test_csv_exports_are_what_the_page_shows(book, client):
    client.force_login(admin())
    query = f"since={book['range'].since}&until={book['range'].until}"
    rows = _csv(client.get(f"/staff/finance/reports/revenue/export/?{query}&part=group"))
    assert rows == [["Group", "Currency", "Payments received", "Credit notes", "Revenue (gross)", "Revenue (net)",
                     "Tax amount"],
                    ["VIP", "EUR", "200.00", "50.00", "150.00", "150.00", "0.00"],
                    ["No group", "EUR", "123.00", "0.00", "123.00", "100.00", "23.00"],
                    ["VIP", "USD", "364.40", "61.50", "302.90", "246.2602", "56.6398"]]
    rows = _csv(client.get(f"/staff/finance/reports/revenue/export/?{query}&part=product&currency=USD"))
    assert rows[1:] == [["VPS", "USD", "2", "0.00", "15.00"], ["Other items (no service)", "USD", "1", "0.00", "20.00"]]
    month = f"{book['today']:%Y-%m}"
    rows = _csv(client.get(f"/staff/finance/reports/tax/export/?{query}"))
    assert rows[0] == ["Period", "Home company", "Currency", "Country", "Tax", "Rate", "Documents", "Net", "Tax amount",
                       "Tax currency", "Net in tax currency", "Tax in tax currency", "Documents without a rate"]
    # PUQ is Polish: its dollar invoices' VAT is reported in PLN too, once NBP's rate is entered.
    assert [month, "PUQ", "USD", "PL", "VAT", "23", "4", "230.00", "52.90", "PLN", "", "", "4"] in rows
    rows = _csv(client.get(f"/staff/finance/reports/tax/export/?{query}&part=reverse_charge"))
    assert rows[1:] == [[month, "PUQ", "EUR", "DE", "2", "150.00", "PLN", "", "2"]]
    rows = _csv(client.get("/staff/finance/reports/aging/export/?part=documents&currency=USD"))
    assert rows[1][0] == book["owed"].number and rows[1][-3:] == ["61.50", "41.50", "Not yet due"]
    rows = _csv(client.get("/staff/finance/reports/balances/export/"))
    assert rows[0] == ["Group", "Currency", "Clients", "Balance", "Credit used", "Clients below zero", "Credit limits"]
    assert ["No group", "EUR", "1", "-30.00", "30.00", "1", "50.00"] in rows


def test_reports_need_the_finance_area_and_limited_staff_get_their_clients_only(book, client):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="S",
                           lastname="S", roles=["Support"])
    client.force_login(support)
    for path in ("", "revenue/", "tax/", "aging/", "balances/", "revenue/export/", "balances/export/"):
        assert client.get(f"/staff/finance/reports/{path}").status_code == 403, path
    client.force_login(limited_to(book["bea"]))
    page = client.get("/staff/finance/reports/balances/").content.decode()
    assert "-€30.00" in page and "211.2602" not in page
    rows = _csv(client.get("/staff/finance/reports/aging/export/?part=documents"))
    assert [row[3] for row in rows[1:]] == [book["bea"].number]
