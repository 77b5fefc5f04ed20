"""A service whose cancellation is requested ends with its paid period (SPEC §9): billing charges
it no more, so nothing else may count its next period as coming either — not auto top-up (which
charged the client's card for it), not the low-balance warning, not the portal's "charges in the
next 30 days". The one read they share is client_services.selectors.upcoming_charges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import upcoming_charges
from clientpanel.notifications.jobs import job_low_balance_warnings
from clientpanel.notifications.models import EmailMessage
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.models import PaymentAttempt

from .test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


def test_a_service_ending_with_its_period_is_no_upcoming_charge(make_client):
    client = client_with_a_service_due(make_client)
    now = timezone.now()
    month = dict(client_ids=[client.pk], now=now, until=now + dt.timedelta(days=30))
    assert upcoming_charges(**month) == {client.pk: Decimal("30.00")}
    Service.objects.filter(client=client).update(cancel_requested=True)
    assert upcoming_charges(**month) == {}


def test_auto_top_up_charges_no_card_for_a_service_that_will_not_renew(make_client):
    client = client_with_a_service_due(make_client)
    browser = signed_in(client.owner.email)
    keep_a_card(browser, client)  # 10.00 paid: the 30.00 due in two days is still short
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    Service.objects.filter(client=client).update(cancel_requested=True)
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    assert not PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).exists()
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert "30.00" not in page  # no charge to come in the dashboard's next 30 days


def test_no_low_balance_warning_for_a_service_that_will_not_renew(make_client):
    client = client_with_a_service_due(make_client)
    Service.objects.filter(client=client).update(cancel_requested=True)
    job_low_balance_warnings(now=timezone.now())
    assert not EmailMessage.objects.filter(client_id=client.pk, template="low_balance").exists()
