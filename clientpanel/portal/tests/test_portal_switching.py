"""A link to a page of another client the user is linked to asks before switching; withdrawing a
cancellation at the end of the period."""

import pytest
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.client_services.services import CANCEL_AT_PERIOD_END, service_cancellation_request
from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def test_a_link_to_another_linked_clients_page_asks_first(world):
    email = _member(world["mine"], keys.MANAGE_INVOICES, keys.MANAGE_SERVICES, email="both@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_INVOICES]})
    browser = _signed_in(email)
    url = reverse("portal:document", args=[world["their_doc"].pk])
    asked = browser.get(url).content.decode()
    assert 'id="switch-confirm"' in asked and world["their_doc"].number not in asked
    switched = browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": url})
    assert switched["Location"] == url
    assert world["their_doc"].number in browser.get(url).content.decode()
    # Not on the other client's services: no offer to switch for that page.
    browser.post(reverse("portal:switch-client"), {"client": str(world["mine"].pk)})
    assert browser.get(reverse("portal:service", args=[world["their_service"].pk])).status_code == 404
    # A switch never sends anywhere but a portal page.
    away = browser.post(reverse("portal:switch-client"), {"client": str(world["mine"].pk),
                                                          "next": "https://evil.example/"})
    assert away["Location"] == reverse("portal:dashboard")


def test_a_cancellation_at_the_end_of_the_period_can_be_withdrawn(world, settings):
    service = world["mine_service"]
    service.status, service.billed_until = "ACTIVE", service.order_date.replace(year=service.order_date.year + 1)
    service.save()
    service_cancellation_request(actor=None, service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:service", args=[service.pk])).content.decode()
    assert reverse("portal:service-keep", args=[service.pk]) in page
    kept = browser.post(reverse("portal:service-keep", args=[service.pk]))
    assert kept.status_code == 302
    service.refresh_from_db()
    assert not service.cancel_requested
    assert AuditEvent.objects.filter(action="service.cancel_withdraw", object_id=str(service.pk)).exists()
    again = browser.post(reverse("portal:service-keep", args=[service.pk]), follow=True).content.decode()
    assert "no cancellation to withdraw" in again
    assert browser.post(reverse("portal:service-keep", args=[world["their_service"].pk])).status_code == 404
