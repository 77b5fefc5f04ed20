"""Automation never cancels a partly paid proforma (docs/decisions.md, "A way out of a partly paid
proforma"): only staff do, confirming what it received. Stale proformas are those that received
nothing, and one paid between the job's query and its cancel stays as it is."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.client_services.services import job_cancel_stale_proformas
from clientpanel.client_services.services import jobs as service_jobs
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.services import proforma_add_funds, proforma_cancel, proforma_pay

pytestmark = pytest.mark.django_db

LONG_AFTER = timezone.now() + dt.timedelta(days=120)


def test_an_overdue_partly_paid_proforma_is_left_to_staff(make_client):
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    partly = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=partly.pk, amount="40.00")
    untouched = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert job_cancel_stale_proformas(now=LONG_AFTER) == {"cancelled": 1}
    assert Document.objects.get(pk=untouched.pk).status == DocumentStatus.CANCELLED
    assert Document.objects.get(pk=partly.pk).status == DocumentStatus.UNPAID


def test_a_proforma_paid_in_part_while_the_job_runs_is_not_cancelled(make_client, monkeypatch):
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")

    still_stale = service_jobs._still_stale_locked

    def paid_just_before(stale, document_id):  # the payment lands between the job's query and its lock
        proforma_pay(actor=None, document_id=document_id, amount="40.00")
        return still_stale(stale, document_id)

    monkeypatch.setattr(service_jobs, "_still_stale_locked", paid_just_before)
    assert job_cancel_stale_proformas(now=LONG_AFTER) == {"cancelled": 0}
    document = Document.objects.get(pk=proforma.pk)
    assert document.status == DocumentStatus.UNPAID and document.paid_gross == Decimal("40")


def test_a_proforma_staff_cancelled_while_the_job_runs_is_not_counted_as_the_jobs(make_client, monkeypatch):
    client = make_client(currency="USD", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    still_stale = service_jobs._still_stale_locked

    def cancelled_by_staff_just_before(stale, document_id):  # between the job's query and its lock
        proforma_cancel(actor=None, document_id=document_id)
        return still_stale(stale, document_id)

    monkeypatch.setattr(service_jobs, "_still_stale_locked", cancelled_by_staff_just_before)
    assert job_cancel_stale_proformas(now=LONG_AFTER) == {"cancelled": 0}
    assert Document.objects.get(pk=proforma.pk).status == DocumentStatus.CANCELLED
