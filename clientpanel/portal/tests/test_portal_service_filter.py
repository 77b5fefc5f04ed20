"""The portal's Services list filtered by status on the server: the statuses the client has, in the
reader's language with their counts; the pages keep the filter; an unknown status lists them all."""

import re

import pytest
from django.urls import reverse

from clientpanel.client_services.models import Service, ServiceStatus

from .conftest import PASSWORD
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db


def _listed(page: str) -> set[str]:
    """The services a list page links to."""
    return set(re.findall(r'href="/portal/services/([0-9a-f-]{36})/"', page))


def _copies(service, count: int, status: str) -> None:
    for n in range(count):
        service.pk = None
        service.label = f"{status[:3]}{n:03d}"
        service.status = status
        service.save()


def test_the_filter_lists_only_that_status_and_its_pages_keep_it(world):
    mine = Service.objects.get(pk=world["mine_service"].pk)
    _copies(mine, 30, ServiceStatus.ACTIVE)
    _copies(mine, 2, ServiceStatus.TERMINATED)
    browser = _signed_in(world["mine"].owner.email)
    everything = browser.get(reverse("portal:services")).content.decode()
    assert "All (33)" in everything and "Active (30)" in everything and "Terminated (2)" in everything
    assert "Pending (1)" in everything and "Suspended (" not in everything  # none: not offered
    terminated = browser.get(reverse("portal:services"), {"status": "TERMINATED"}).content.decode()
    assert "TER000" in terminated and "TER001" in terminated and "ACT000" not in terminated
    assert world["mine_service"].label not in terminated and world["their_service"].label not in terminated
    assert '<option value="TERMINATED" selected>' in terminated
    first = browser.get(reverse("portal:services"), {"status": "ACTIVE"}).content.decode()
    assert "Page 1 of 2" in first and 'href="?status=ACTIVE&amp;page=2"' in first
    second = browser.get(reverse("portal:services"), {"status": "ACTIVE", "page": "2"}).content.decode()
    assert len(_listed(second)) == 5 and "TER000" not in second and "Page 2 of 2" in second
    assert 'href="?status=ACTIVE&amp;page=1"' in second


def test_a_status_nobody_has_says_so_and_an_unknown_one_lists_everything(world):
    browser = _signed_in(world["mine"].owner.email)
    none = browser.get(reverse("portal:services"), {"status": "SUSPENDED"}).content.decode()
    assert "No services with this status." in none and '<option value="SUSPENDED" selected>' in none
    unknown = browser.get(reverse("portal:services"), {"status": "<script>"})
    assert unknown.status_code == 200 and world["mine_service"].label in unknown.content.decode()


def test_the_statuses_read_in_polish(world, make_client):
    polish = make_client(currency="USD", password=PASSWORD, language="pl")
    service = Service.objects.get(pk=world["mine_service"].pk)
    service.pk, service.client, service.label, service.status = None, polish, "PL0001", ServiceStatus.ACTIVE
    service.save()
    page = _signed_in(polish.owner.email).get(reverse("portal:services")).content.decode()
    assert "Wszystkie (1)" in page and "Aktywna (1)" in page
