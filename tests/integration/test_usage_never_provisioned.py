"""Usage by product nets what a service never provisioned was given back (client_services' ending:
its setup fee and any period, by ADJUSTMENT entries tied to the service): the product's usage is
what the client kept paying for — nothing — live and from the rollups alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientpanel.client_services.services import service_terminate
from clientpanel.client_services.tests.test_never_provisioned import failed_create
from clientpanel.reports.reports import Range, revenue_report
from clientpanel.reports.rollups import rollups_refresh
from clientpanel.reports.tests.test_reports import admin

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)


def test_a_setup_fee_given_back_for_a_service_never_provisioned_is_no_usage(staff, settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOON, tick=False):
        _client, service = failed_create()
        service_terminate(actor=staff, service_id=service.pk)
    boss, span = admin(), Range(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    product = service.product.name
    live = [(u.currency, u.product, u.charges, u.amount, u.reversed)
            for u in revenue_report(actor=boss, span=span).by_product]
    assert live == [("USD", product, 1, Decimal("0"), Decimal("5"))]
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        rollups_refresh()
        rolled = [(u.currency, u.product, u.charges, u.amount, u.reversed)
                  for u in revenue_report(actor=boss, span=span).by_product]
    assert rolled == live
