"""An empty value sorts as the largest one in every list that sorts on the server (core.sorting):
a service not activated yet comes last by activation date ascending and first descending, on
SQLite as on PostgreSQL (where SQLite alone put it first ascending) — and PostgreSQL still reads
the sort off its index, in either direction, without sorting the table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import service_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(make_client):
    client, product, now = make_client(), Product.objects.create(key="vps", name="VPS"), timezone.now()
    made = {}
    for label, activated in (("late", now), ("never", None), ("early", now - dt.timedelta(days=3))):
        made[label] = Service.objects.create(
            client=client, product=product, label=label, currency="USD", period="MONTHLY", amount=Decimal(10),
            setup_fee=Decimal(0), order_date=now, activation_date=activated)
    return made


def test_a_service_not_activated_comes_last_ascending_and_first_descending(staff, services):
    assert [s.label for s in service_list(actor=staff, sort="activated")] == ["early", "late", "never"]
    assert [s.label for s in service_list(actor=staff, sort="-activated")] == ["never", "late", "early"]


@pytest.mark.postgres
@pytest.mark.parametrize("sort", ["activated", "-activated"])
def test_postgresql_reads_the_activation_sort_off_its_index_with_the_empty_values_placed(staff, services, sort):
    query = service_list(actor=staff, sort=sort).values_list("id", flat=True)[:2]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "service_activation_idx" in plan and " Sort " not in f" {plan} ", plan
