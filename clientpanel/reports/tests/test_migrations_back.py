"""Going back through reports 0005–0008 forgets the rollups, as going forward does: old code must not
read rollups added up the new way (days in company zones, net, tax in the tax currency)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

UTC = dt.UTC


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["0007_daily_revenue_net", "0004_daily_usage_reversed"])
def test_going_back_forgets_the_new_style_rollups(target):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    new = executor.loader.project_state(latest).apps
    new.get_model("reports", "RollupState").objects.create(
        key="reports", rolled_until=dt.datetime(2026, 10, 5, tzinfo=UTC), time_zone="UTC")
    new.get_model("reports", "DailyRevenue").objects.create(
        day=dt.date(2026, 10, 1), currency="EUR", company_id=1, payments=D("123.00"), payments_net=D("100.00"))
    tax = new.get_model("reports", "DailyTax")
    for tax_currency in ("", "PLN"):  # the same key but for the tax currency: the old unique key refuses it
        tax.objects.create(day=dt.date(2026, 10, 1), company_id=1, currency="EUR", country="PL", kind="vat",
                           name="VAT", rate=D("23"), documents=1, net=D("100"), tax=D("23"), tax_currency=tax_currency)
    new.get_model("reports", "DailyUsage").objects.create(day=dt.date(2026, 10, 1), currency="USD", charges=1,
                                                          amount=D("30.00"))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("reports", target)])
        old = executor.loader.project_state([("reports", target)]).apps
        for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
            assert not old.get_model("reports", name).objects.exists(), name
    finally:  # the latest migrations again, for the tests that follow in this database
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
