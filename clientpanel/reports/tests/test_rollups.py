"""The reports' daily rollups (reports/rollups.py): once the job has run, staff who see every
client read them and add up live only what was written since — and get exactly the figures an
all-live report gives, whatever the split, the filters or the period; a back-dated payment written
after a run lands in its own month once; running the job again adds nothing; limited staff never
read them; another time zone adds everything up again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Payment
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.reports.models import DailyRevenue, DailyTax, DailyUsage, RollupState
from clientpanel.reports.reports import NO_GROUP, QUARTER, Filters, Range, revenue_report, tax_report
from clientpanel.reports.rollups import MARGIN, job_roll_up_reports, rolled_until, rollups_refresh
from conftest import client_data

from .test_reports import admin, limited_to

pytestmark = pytest.mark.django_db

D = Decimal


def figures(actor, span: Range, filters: Filters | None = None) -> tuple:
    revenue = revenue_report(actor=actor, span=span, filters=filters)
    tax = tax_report(actor=actor, span=span, filters=filters)
    return (revenue.by_period, revenue.by_company, revenue.by_group, revenue.by_product,
            tax.rates, tax.reverse_charge, tax.untaxed)


def every_view(book) -> list[tuple[Range, Filters]]:
    wide = book["range"]
    views = [(wide, Filters()), (Range(wide.since, wide.until, QUARTER), Filters()),
             (Range(book["today"], book["today"]), Filters())]
    for filters in (Filters(currency="EUR"), Filters(group=book["vip"].pk), Filters(group=NO_GROUP),
                    Filters(company=book["company"].pk), Filters(company=book["company"].pk + 1000)):
        views.append((wide, filters))
    return views


def test_rolled_up_or_live_every_report_gives_the_same_figures_whatever_the_split(book):
    boss = admin()
    live = {view: figures(boss, *view) for view in every_view(book)}
    assert rolled_until() is None  # no run yet: everything is added up live
    written = sorted(Payment.objects.values_list("created_at", flat=True))
    for until in (written[2], written[-1] + dt.timedelta(seconds=1)):  # half rolled up, then all
        rollups_refresh(until=until)
        assert rolled_until() == until
        for view, expected in live.items():
            assert figures(boss, *view) == expected, view
    assert DailyRevenue.objects.exists() and DailyTax.objects.exists() and DailyUsage.objects.exists()


def test_the_reports_read_the_rollups_not_the_payments_for_what_was_rolled_up(book):
    boss = admin()
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    before = revenue_report(actor=boss, span=book["range"]).totals
    row = DailyRevenue.objects.filter(currency="USD").first()
    DailyRevenue.objects.filter(pk=row.pk).update(payments=row.payments + D("1000"))  # a marker, not a real sum
    after = {r.currency: r.payments for r in revenue_report(actor=boss, span=book["range"]).totals}
    assert after["USD"] == next(r.payments for r in before if r.currency == "USD") + D("1000")
    # Staff limited to their clients add theirs up live: the marker is not theirs to see.
    ada_only = {r.currency: r.payments for r in revenue_report(actor=limited_to(book["ada"]),
                                                               span=book["range"]).totals}
    assert ada_only == {"USD": D("364.40")}


def test_running_the_job_again_adds_nothing_and_it_never_rolls_up_the_last_minutes(book):
    boss = admin()
    expected = figures(boss, book["range"])
    result = job_roll_up_reports(now=timezone.now() + dt.timedelta(days=30))  # a pass --at a later moment
    assert rolled_until() <= timezone.now() - MARGIN  # the real clock decides, not the pass's moment
    assert result == {"rows": 0}  # everything was written in the last minutes: still live
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    rows = {model: list(model.objects.order_by("pk").values()) for model in (DailyRevenue, DailyTax, DailyUsage)}
    assert rollups_refresh(until=timezone.now()) == {"rows": 0}
    assert {model: list(model.objects.order_by("pk").values()) for model in rows} == rows
    assert figures(boss, book["range"]) == expected


def test_a_back_dated_payment_written_after_a_run_counts_once_in_its_own_month():
    boss = admin()
    two_months_ago = timezone.now() - dt.timedelta(days=62)
    with time_machine.travel(two_months_ago, tick=False):
        client = client_create(actor=None, data=client_data(currency="PLN"))
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    rollups_refresh(until=timezone.now() - dt.timedelta(seconds=1))
    paid_at = two_months_ago + dt.timedelta(days=1)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total), paid_at=paid_at)
    span = Range(timezone.localdate(two_months_ago) - dt.timedelta(days=40), timezone.localdate())
    month = timezone.localdate(paid_at).replace(day=1)

    def received() -> dict:
        return {row.key: row.payments for row in revenue_report(actor=boss, span=span).by_period["PLN"]
                if row.payments}

    assert received() == {month: proforma.total}  # live: written after the run
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    assert received() == {month: proforma.total}  # rolled up into its own day, once
    assert DailyRevenue.objects.get(currency="PLN").day == timezone.localdate(paid_at)


def test_a_sale_stays_in_the_group_the_client_was_in_when_it_was_rolled_up(book):
    boss = admin()
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    Client.objects.filter(pk=book["ada"].pk).update(group=ClientGroup.objects.create(name="Moved"))
    groups = {(row.currency, row.key) for row in revenue_report(actor=boss, span=book["range"]).by_group}
    assert ("USD", "VIP") in groups and ("USD", "Moved") not in groups


def test_another_time_zone_adds_everything_up_again_and_the_command_rebuilds(book):
    boss = admin()
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    with timezone.override("America/Toronto"):
        assert rolled_until() is None  # the days are another zone's: live until the job runs
        expected = figures(boss, book["range"])
        rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
        assert RollupState.objects.get().time_zone == "America/Toronto"
        assert figures(boss, book["range"]) == expected
    expected = figures(boss, book["range"])  # live again: the rollups are Toronto's now
    call_command("rebuild_report_rollups", verbosity=0)
    assert rolled_until() is not None
    # Rebuilt up to MARGIN before now: the book (written just now) is still added up live.
    assert figures(boss, book["range"]) == expected
