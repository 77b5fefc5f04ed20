"""Settings → Automation → "Run now" on "Refresh the dashboard": a staff member presses it because the
dashboard shows stale figures, so it adds them up again whatever the snapshot's age; the scheduled
pass keeps its rule (only a snapshot older than CLIENTPANEL_DASHBOARD_REFRESH_MINUTES)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.automation.models import JobRun
from clientpanel.automation.services import automation_pass
from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.reports.dashboard import dashboard_figures
from conftest import client_data

pytestmark = pytest.mark.django_db


def this_months_revenue(actor, currency: str) -> Decimal:
    months = dashboard_figures(actor=actor).revenue.get(currency)
    return months[-1].revenue if months else Decimal(0)


def test_run_now_refreshes_a_fresh_snapshot_and_the_schedule_keeps_its_age_rule(staff_client, staff, settings):
    settings.CLIENTPANEL_DASHBOARD_REFRESH_MINUTES = 60
    assert this_months_revenue(staff, "CAD") == 0  # the snapshot, computed now, before the sale
    buyer = client_create(actor=None, data=client_data(currency="CAD"))
    proforma = proforma_add_funds(actor=None, client_id=buyer.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    assert this_months_revenue(staff, "CAD") == 0  # stale: the snapshot is minutes old

    assert automation_pass(trigger="schedule", only="refresh_dashboard") == {"refresh_dashboard": {"refreshed": 0}}
    assert this_months_revenue(staff, "CAD") == 0

    response = staff_client.post(reverse("backoffice:automation-run", args=["refresh_dashboard"]))
    assert response.status_code == 302
    run = JobRun.objects.filter(name="refresh_dashboard", trigger="manual").get()
    assert run.counts == {"refreshed": 1} and not run.error
    assert this_months_revenue(staff, "CAD") == proforma.total
    assert dashboard_figures(actor=staff).computed_at >= run.started_at - dt.timedelta(seconds=1)
