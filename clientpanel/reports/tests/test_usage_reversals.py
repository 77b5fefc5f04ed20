"""Usage by product nets what credit notes gave back (reports/reversals.py): a note's charge
reversal names no service, so it is given back to the products of the invoice's charged items in
proportion to their net, over every note of the invoice so far — the notes that refund it in full
give each product back exactly its charge. Live and from the rollups alike, in a constant number
of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.reports.models import DailyUsage
from clientpanel.reports.reports import Range, revenue_report
from clientpanel.reports.reversals import _split
from clientpanel.reports.rollups import rollups_refresh
from conftest import client_data

from .test_reports import admin, limited_to

pytestmark = pytest.mark.django_db

D = Decimal
UTC = dt.UTC


def on(day: int, hour: int = 12):
    return time_machine.travel(dt.datetime(2026, 10, day, hour, tzinfo=UTC), tick=False)


def days(first: int, last: int) -> Range:
    return Range(dt.date(2026, 10, first), dt.date(2026, 10, last))


def usage(actor, span: Range) -> list[tuple]:
    return [(u.currency, u.product, u.charges, u.amount, u.reversed)
            for u in revenue_report(actor=actor, span=span).by_product]


@pytest.fixture
def refunded(db, settings):
    """Ada (USD) pays on 1 October an invoice of a VPS month (30.00), a mail service (10.00), setup
    work sold outside a service (20.00) and a top-up (40.00); notes refund 15.00 net on the 2nd,
    10.01 on the 3rd and the rest (74.99: 34.99 of charged items, then the top-up) on the 4th."""
    settings.TIME_ZONE = "UTC"
    with on(1):
        ada = client_create(actor=None, data=client_data(currency="USD", firstname="Ada"))
        services = {}
        for key, name, amount in (("vps", "VPS", "30.00"), ("mail", "Mail", "10.00")):
            product = Product.objects.create(key=key, name=name, module="manual")
            services[key] = Service.objects.create(
                client=ada, product=product, label=key.upper(), currency="USD", period="MONTHLY", amount=D(amount),
                order_date=dt.datetime(2026, 10, 1, tzinfo=UTC), activation_date=dt.datetime(2026, 10, 1, tzinfo=UTC),
                setup_fee=D(0), status=ServiceStatus.ACTIVE, provision_status=ProvisionStatus.COMPLETED)
        proforma = proforma_issue(actor=None, client_id=ada.pk, items=[
            {"description": "VPS, one month", "unit_price": "30.00", "service_id": services["vps"].pk},
            {"description": "Mail, one month", "unit_price": "10.00", "service_id": services["mail"].pk},
            {"description": "Setup work", "unit_price": "20.00"},
            {"description": None, "unit_price": "40.00", "is_topup": True}])
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related_id
    for day, net in ((2, "15.00"), (3, "10.01"), (4, "74.99")):
        with on(day):
            credit_note_issue(actor=None, invoice_id=invoice, net_amount=net)
    return ada


def test_credit_notes_give_the_charges_back_to_the_products_of_the_items_they_refund(refunded):
    boss = admin()
    with on(10):
        # Charged on the 1st: one CHARGE entry per item; nothing refunded yet.
        assert usage(boss, days(1, 1)) == [("USD", "VPS", 1, D("30.00"), D(0)), ("USD", "Mail", 1, D("10.00"), D(0)),
                                           ("USD", None, 1, D("20.00"), D(0))]
        # 15.00 of the 60.00 charged, split 30 : 10 : 20 — the reversal lands on the day of its note,
        # a product without a charge that day shows what was given back, as a negative usage.
        assert usage(boss, days(2, 2)) == [("USD", "Mail", 0, D("-2.50"), D("2.50")),
                                           ("USD", "VPS", 0, D("-7.50"), D("7.50")),
                                           ("USD", None, 0, D("-5.00"), D("5.00"))]
        # 25.01 refunded so far: VPS 12.51, Mail 4.17, none 8.33 (whole shares 12.50, 4.16, 8.33; the
        # two cents left by greatest divisors, D'Hondt: VPS and Mail tie with none, the items' order).
        assert usage(boss, days(3, 3)) == [("USD", "Mail", 0, D("-1.67"), D("1.67")),
                                           ("USD", "VPS", 0, D("-5.01"), D("5.01")),
                                           ("USD", None, 0, D("-3.33"), D("3.33"))]
        # Refunded in full: each product got back exactly what it was charged.
        assert usage(boss, days(1, 31)) == [("USD", "Mail", 1, D(0), D("10.00")), ("USD", "VPS", 1, D(0), D("30.00")),
                                            ("USD", None, 1, D(0), D("20.00"))]
        assert usage(limited_to(refunded), days(1, 31)) == usage(boss, days(1, 31))


def test_the_rollups_give_the_same_usage_whatever_the_split(refunded):
    boss = admin()
    spans = [days(first, last) for first in range(1, 5) for last in range(first, 5)] + [days(1, 31)]
    with on(10):
        live = {span: usage(boss, span) for span in spans}
    for day in (1, 2, 3, 5):  # after the invoice, after each note (all rolled up by the 5th)
        rollups_refresh(until=dt.datetime(2026, 10, day, 18, tzinfo=UTC))
        with on(10):
            for span in spans:
                assert usage(boss, span) == live[span], (day, span)
    assert sorted((row.day.day, row.charges, row.amount, row.reversed) for row in DailyUsage.objects.all()) == [
        (1, 1, D("10.00"), D(0)), (1, 1, D("20.00"), D(0)), (1, 1, D("30.00"), D(0)),
        (2, 0, D(0), D("2.50")), (2, 0, D(0), D("5.00")), (2, 0, D(0), D("7.50")),
        (3, 0, D(0), D("1.67")), (3, 0, D(0), D("3.33")), (3, 0, D(0), D("5.01")),
        (4, 0, D(0), D("5.83")), (4, 0, D(0), D("11.67")), (4, 0, D(0), D("17.49"))]


def test_the_number_of_queries_does_not_grow_with_the_credit_notes(refunded):
    boss = admin()

    def count() -> int:
        with on(20), CaptureQueriesContext(connection) as queries:
            revenue_report(actor=boss, span=days(1, 31))
        return len(queries.captured_queries)

    count()  # the actor's areas, read once
    before = count()
    for day in (5, 6):
        with on(day):
            proforma = proforma_issue(actor=None, client_id=refunded.pk, items=[
                {"description": "VPS, one month", "unit_price": "30.00",
                 "service_id": Service.objects.get(label="VPS").pk}, {"description": "Work", "unit_price": "5.00"}])
            proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
            invoice = Document.objects.get(pk=proforma.pk).related_id
            credit_note_issue(actor=None, invoice_id=invoice, net_amount="7.00")
            credit_note_issue(actor=None, invoice_id=invoice, net_amount="3.00")
    assert count() == before
    rollups_refresh(until=dt.datetime(2026, 10, 5, 18, tzinfo=UTC))
    assert count() == before + 2  # and the rollups: revenue, usage


@pytest.mark.django_db(transaction=True)
def test_the_migration_throws_away_rollups_that_lack_the_reversals():
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("reports", "0003_written_since_indexes")], [("reports", "0004_daily_usage_reversed")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("reports", "RollupState").objects.create(key="reports", rolled_until=dt.datetime(2026, 10, 5,
                                                           tzinfo=UTC), time_zone="UTC")
    old.get_model("reports", "DailyUsage").objects.create(day=dt.date(2026, 10, 1), currency="USD", charges=1,
                                                          amount=D("30.00"))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        # Nothing rolled up: the reports add everything up live until the job adds it all up again.
        assert not new.get_model("reports", "DailyUsage").objects.exists()
        assert not new.get_model("reports", "RollupState").objects.exists()
    finally:  # the later migrations again, for the tests that follow in this database
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_page_and_its_csv_show_what_credit_notes_gave_back(refunded, client):
    client.force_login(admin())
    span = {"since": "2026-10-01", "until": "2026-10-31"}
    with on(10):
        page = client.get(reverse("backoffice:finance-report-revenue"), span).content.decode()
        export = client.get(reverse("backoffice:finance-report-revenue-export"), {**span, "part": "product"})
    assert "Given back" in page
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Product", "Currency", "Charges", "Given back", "Usage (net)"]
    assert {row[0]: (row[2], D(row[3]), D(row[4])) for row in rows[1:]} == {
        "VPS": ("1", D("30.00"), D(0)), "Mail": ("1", D("10.00"), D(0)),
        "Other items (no service)": ("1", D("20.00"), D(0))}


def test_a_later_note_never_takes_usage_back_from_a_product():
    """Largest remainders gave 7.00 : 3.00 : 1.00 a 0.05 refund as 0.03, 0.01, 0.01 and 0.06 as 0.04,
    0.02, 0.00: the 0.01 note after it took a cent back from the third product. Each product's
    share of a growing refund only grows."""
    items = [("a", D("7.00")), ("b", D("3.00")), ("c", D("1.00"))]
    for currency, unit in (("USD", D("0.01")), ("JPY", D(1))):
        before = {key: D(0) for key, _net in items}
        for step in range(1, int(D("11.00") / unit) + 1):  # up to the whole 11.00 (11 yen)
            split = _split(items, unit * step, currency)
            assert sum(split.values()) == unit * step
            assert all(split[key] >= before[key] for key in before), (currency, step, before, split)
            before = split
