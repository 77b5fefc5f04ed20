"""Every time the portal shows reads in the zone of the home company that bills the client (as its
documents, their PDFs and the staff panel's document pages read theirs), and says which zone that
is: an order placed at 05:25 in Warsaw is not shown as 04:25 (UTC), and a moment just before
midnight UTC is of the next day in Warsaw, as the invoices of that day are."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clientpanel.client_services.models import Service
from clientpanel.client_services.services import service_order
from clientpanel.clients import permissions as keys
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.tax.selectors import default_home_company

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db

ORDERED_AT = dt.datetime(2026, 11, 25, 4, 25, tzinfo=dt.UTC)  # 05:25 in Warsaw (CET, UTC+1)
BEFORE_MIDNIGHT = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 December in Warsaw


@pytest.fixture
def warsaw(world):
    company = default_home_company()
    company.time_zone = "Europe/Warsaw"
    company.save(update_fields=["time_zone"])
    return world


def test_a_services_times_read_in_its_home_companys_zone_which_the_page_names(warsaw, settings):
    assert settings.TIME_ZONE == "UTC"
    with time_machine.travel(ORDERED_AT, tick=False):
        ordered = service_order(actor=None, client_id=warsaw["mine"].pk, product_id=warsaw["product"].pk,
                                price_id=warsaw["price"].pk)
    Service.objects.filter(pk=ordered.pk).update(status="ACTIVE", billed_until=BEFORE_MIDNIGHT)
    browser = _signed_in(warsaw["mine"].owner.email)
    page = browser.get(reverse("portal:service", args=[ordered.pk])).content.decode()
    assert "2026-11-25 05:25" in page and "04:25" not in page
    assert "2026-12-01 00:30" in page  # billed until
    assert "Times are in the Europe/Warsaw time zone." in page
    listed = browser.get(reverse("portal:services")).content.decode()
    assert "2026-12-01" in listed and "2026-11-30" not in listed
    # The zone is the request's: what runs after it in the same thread reads the server's again.
    assert timezone.get_current_timezone_name() == "UTC"


def test_transactions_list_their_moments_in_the_home_companys_zone(warsaw):
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        entry_post(client_id=warsaw["mine"].pk, type=EntryType.ADJUSTMENT, net=Decimal("3"),
                   description="Late adjustment")
    page = _signed_in(warsaw["mine"].owner.email).get(reverse("portal:transactions")).content.decode()
    assert "2026-12-01 00:30" in page and "2026-11-30 23:30" not in page


def test_a_requested_cancellations_end_day_is_the_home_companys(warsaw):
    """A user who may cancel but not see services lands on the dashboard, told the day it ends."""
    service = warsaw["mine_service"]
    Service.objects.filter(pk=service.pk).update(status="ACTIVE", billed_until=BEFORE_MIDNIGHT + dt.timedelta(days=1))
    browser = _signed_in(_member(warsaw["mine"], keys.MANAGE_ORDERS))
    with time_machine.travel(BEFORE_MIDNIGHT - dt.timedelta(days=1), tick=False):
        landed = browser.post(reverse("portal:service-cancel", args=[service.pk]), {"when": "period_end"},
                              follow=True).content.decode()
    assert "Cancellation requested: the service ends on 2026-12-02." in landed
