"""Revenue by client group: "Each sale is counted in the group its client was in at the time of the
sale." A client who moves to another group takes none of its past sales along — for staff who see
every client (rolled up or live), for staff limited to their clients (always live), after the
rollups are rebuilt, and under the group filter (revenue and tax). The sale's group is kept on its
documents (Document.client_group_id): a proforma's at its issue, its payments and final invoice, and
their credit notes, in it; documents written before it was recorded get their client's group of then
from the migration (invoicing 0014)."""

from __future__ import annotations

import datetime as dt
import importlib
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clientpanel.clients.models import ClientGroup
from clientpanel.clients.services import client_create, client_update, group_delete
from clientpanel.invoicing.models import NO_CLIENT_GROUP, Document, DocumentType
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.reports.models import NO_GROUP_KEY, DailyRevenue
from clientpanel.reports.reports import NO_GROUP, Filters, Range, revenue_report, tax_report
from clientpanel.reports.rollups import rolled_until, rollups_refresh
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

from .test_reports import admin, limited_to

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def moved(db):
    """Client 0008 of the audit: in VIP, paid 922.50 (PLN, net 750.00 at 23%) three days ago and was
    issued a proforma of 12.30 then, unpaid; then moved to Resellers. Another client, in no group,
    paid 123.00 three days ago."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ", "country": "PL",
                                                               "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    vip, resellers = ClientGroup.objects.create(name="VIP"), ClientGroup.objects.create(name="Resellers")
    with time_machine.travel(timezone.now() - dt.timedelta(days=3), tick=False):
        client = client_create(actor=None, data=client_data(currency="PLN"))
        client_update(actor=None, client_id=client.pk, data={"group": vip.pk})
        other = client_create(actor=None, data=client_data(currency="PLN"))
        for buyer, net in ((client, "750.00"), (other, "100.00")):
            proforma = proforma_add_funds(actor=None, client_id=buyer.pk, net_amount=net)
            proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        unpaid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    client_update(actor=None, client_id=client.pk, data={"group": resellers.pk})
    today = timezone.localdate()
    return {"client": client, "vip": vip, "resellers": resellers, "unpaid": unpaid,
            "range": Range(today - dt.timedelta(days=30), today)}


def by_group(actor, span: Range, filters: Filters | None = None) -> dict:
    return {row.key: row.revenue for row in revenue_report(actor=actor, span=span, filters=filters).by_group}


def tax_documents(actor, span: Range, filters: Filters) -> int:
    return sum(row.documents for row in tax_report(actor=actor, span=span, filters=filters).rates)


def assert_sale_in_vip(actor, moved, every_group: dict) -> None:
    span, vip, resellers = moved["range"], moved["vip"], moved["resellers"]
    assert by_group(actor, span) == every_group
    assert by_group(actor, span, Filters(group=vip.pk)) == {"VIP": D("922.50")}
    assert by_group(actor, span, Filters(group=resellers.pk)) == {}
    assert tax_documents(actor, span, Filters(group=vip.pk)) == 1  # its final invoice
    assert tax_documents(actor, span, Filters(group=resellers.pk)) == 0


def test_a_moved_clients_past_sale_stays_in_its_old_group_live_for_staff_who_see_every_client(moved):
    boss = admin()
    assert rolled_until() is None  # nothing rolled up: every figure added up live
    assert_sale_in_vip(boss, moved, {"VIP": D("922.50"), None: D("123.00")})
    assert by_group(boss, moved["range"], Filters(group=NO_GROUP)) == {None: D("123.00")}


def test_a_moved_clients_past_sale_stays_in_its_old_group_for_limited_staff(moved):
    rollups_refresh(until=timezone.now() - dt.timedelta(seconds=1))  # limited staff add theirs up live anyway
    assert_sale_in_vip(limited_to(moved["client"]), moved, {"VIP": D("922.50")})


def test_a_moved_clients_past_sale_stays_in_its_old_group_rolled_up_and_rebuilt(moved):
    boss = admin()
    rollups_refresh(until=timezone.now() - dt.timedelta(seconds=1))
    assert_sale_in_vip(boss, moved, {"VIP": D("922.50"), None: D("123.00")})
    call_command("rebuild_report_rollups", verbosity=0)  # adds the three-day-old sales up again, from scratch
    assert rolled_until() is not None
    assert set(DailyRevenue.objects.values_list("group_id", "payments")) == {
        (moved["vip"].pk, D("922.50")), (NO_GROUP_KEY, D("123.00"))}
    assert_sale_in_vip(boss, moved, {"VIP": D("922.50"), None: D("123.00")})


def test_money_for_an_old_sale_stays_in_its_group_and_a_new_sale_counts_in_the_new_one(moved):
    """The proforma issued in VIP and paid after the move, and the credit note of the VIP invoice
    issued after it, are VIP's; a proforma issued after the move is Resellers'."""
    client, boss = moved["client"], admin()
    proforma_pay(actor=None, document_id=moved["unpaid"].pk, amount="12.30")
    invoice = Document.objects.filter(client=client, type=DocumentType.INVOICE).order_by("issue_date").first()
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="100.00")  # 123.00 back
    new = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20.00")
    assert new.client_group_id == moved["resellers"].pk
    proforma_pay(actor=None, document_id=new.pk, amount="24.60")
    vip = D("922.50") + D("12.30") - D("123.00")
    expected = {"VIP": vip, "Resellers": D("24.60"), None: D("123.00")}
    assert by_group(boss, moved["range"]) == expected
    rollups_refresh(until=timezone.now() + dt.timedelta(seconds=1))
    assert by_group(boss, moved["range"]) == expected
    assert by_group(limited_to(client), moved["range"]) == {"VIP": vip, "Resellers": D("24.60")}
    assert by_group(boss, moved["range"], Filters(group=moved["vip"].pk)) == {"VIP": vip}


@contextmanager
def immutability_off():
    """The documents as the release before the column wrote them (issued, no group): the trigger
    that fixes an issued document's group once it has one (invoicing 0015) is off meanwhile."""
    fixed = importlib.import_module("clientpanel.invoicing.migrations.0015_document_client_group_fixed")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the deferred key checks run first: ALTER TABLE waits for none
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE invoicing_document DISABLE TRIGGER invoicing_document_immutable")
        else:
            cursor.execute("DROP TRIGGER invoicing_document_immutable")
        yield
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE invoicing_document ENABLE TRIGGER invoicing_document_immutable")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(fixed._statements(with_group=True)[1][0])


def test_an_issued_sales_group_cannot_be_changed_in_the_database(moved):
    """Neither to another group, nor to none, nor back to unrecorded (it would read the client's
    present group): an UPDATE is refused on PostgreSQL and on SQLite alike."""
    sale = Document.objects.filter(client=moved["client"], type=DocumentType.INVOICE).get()
    assert sale.number and sale.client_group_id == moved["vip"].pk
    for group in (moved["resellers"].pk, NO_CLIENT_GROUP, None):
        with pytest.raises(DatabaseError, match="cannot change"), transaction.atomic():
            Document.objects.filter(pk=sale.pk).update(client_group_id=group)
    assert Document.objects.get(pk=sale.pk).client_group_id == moved["vip"].pk
    Document.objects.filter(pk=sale.pk).update(client_group_id=moved["vip"].pk)  # the same value: no change
    assert by_group(admin(), moved["range"]) == {"VIP": D("922.50"), None: D("123.00")}


def test_the_migration_gives_documents_written_before_the_group_was_kept_their_clients_group(moved, monkeypatch):
    """NULL to a group stays allowed on an issued document (the trigger is on while it runs)."""
    client = moved["client"]
    documents = Document.objects.filter(client=client)
    kept = documents.order_by("pk").first()
    others = Document.objects.exclude(client=client)
    with immutability_off():
        documents.exclude(pk=kept.pk).update(client_group_id=None)  # written before the column
        others.update(client_group_id=None)
    backfill = importlib.import_module("clientpanel.invoicing.migrations.0014_document_client_group_backfill")
    monkeypatch.setattr(backfill, "BATCH", 2)  # a few documents per batch: the batches walk the table
    backfill.backfill(apps, SimpleNamespace(connection=connection))
    assert documents.get(pk=kept.pk).client_group_id == moved["vip"].pk  # recorded at the sale: kept
    assert set(documents.exclude(pk=kept.pk).values_list("client_group_id", flat=True)) == {moved["resellers"].pk}
    assert set(others.values_list("client_group_id", flat=True)) == {NO_CLIENT_GROUP}


def test_a_sale_of_a_deleted_group_is_under_no_group_with_and_without_the_filter_live_and_rolled_up(moved):
    """The VIP sale keeps VIP's id once VIP is deleted (its client moved out first): no name is found
    for it, so it is a sale in no group — in the breakdown and under the "No group" filter alike."""
    boss, span = admin(), moved["range"]
    group_delete(actor=None, group_id=moved["vip"].pk)
    everything = {None: D("922.50") + D("123.00")}
    for rolled_up in (False, True):
        if rolled_up:
            rollups_refresh(until=timezone.now() - dt.timedelta(seconds=1))
            assert (moved["vip"].pk, D("922.50")) in set(DailyRevenue.objects.values_list("group_id", "payments"))
        assert by_group(boss, span) == everything
        assert by_group(boss, span, Filters(group=NO_GROUP)) == everything
        assert tax_documents(boss, span, Filters(group=NO_GROUP)) == 2  # both final invoices
        assert by_group(boss, span, Filters(group=moved["resellers"].pk)) == {}
