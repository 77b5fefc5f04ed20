"""A user linked to two clients with different permissions, acting for the one without a page's
permission, is asked to act for the other client when the page's object is that client's and the
user holds the permission there (an auditor got a 404: the permission was checked on the client it
acted for before the page could say whose the object is); where it holds it nowhere, still a 404."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import client_user_link

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def _asks(response) -> bool:
    return response.status_code == 200 and 'id="switch-confirm"' in response.content.decode()


@pytest.fixture
def svc(world):
    """Manage Services on "mine" (the client it acts for first), Manage Invoices on "theirs"."""
    email = _member(world["mine"], keys.MANAGE_SERVICES, email="svc@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_INVOICES]})
    return _signed_in(email)


def test_a_page_of_the_other_client_where_the_user_holds_its_permission_asks_to_act_for_it(world, svc):
    url = reverse("portal:document", args=[world["their_doc"].pk])
    asked = svc.get(url)
    assert _asks(asked) and world["their_doc"].number not in asked.content.decode()
    assert "no-store" in asked["Cache-Control"]
    assert _asks(svc.get(reverse("portal:document-pdf", args=[world["their_doc"].pk])))
    switched = svc.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": url})
    assert switched["Location"] == url
    assert world["their_doc"].number in svc.get(url).content.decode()
    # Acting for "theirs" now: "mine"'s service page asks to come back, with Manage Services there.
    assert _asks(svc.get(reverse("portal:service", args=[world["mine_service"].pk])))


def test_where_the_user_holds_the_permission_nowhere_or_asks_an_action_it_is_a_404(world, svc):
    # Manage Invoices on "theirs" only: "mine"'s document is no page, nor is an unknown one.
    assert svc.get(reverse("portal:document", args=[world["mine_doc"].pk])).status_code == 404
    assert svc.get(reverse("portal:document", args=[world["their_service"].pk])).status_code == 404
    # Manage Services on "mine" only: "theirs"' service is no page, with or without the switch.
    assert svc.get(reverse("portal:service", args=[world["their_service"].pk])).status_code == 404
    # Manage Orders nowhere; a list page of the other client's is no page either.
    assert svc.get(reverse("portal:service-cancel", args=[world["their_service"].pk])).status_code == 404
    assert svc.get(reverse("portal:invoices")).status_code == 404
    # Modify Master Profile nowhere: the other client's address is no page.
    address = billing_address_of(world["theirs"]).pk
    assert svc.get(reverse("portal:address", args=[address])).status_code == 404


def test_an_action_on_the_other_clients_object_is_never_offered_across(world):
    email = _member(world["mine"], email="orders@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={
        "email": email, "permissions": [keys.MANAGE_ORDERS, keys.VIEW_DOCUMENTS, keys.MODIFY_MASTER_PROFILE]})
    browser = _signed_in(email)
    service, address = world["their_service"], billing_address_of(world["theirs"])
    before = (service.status, service.cancel_requested, address.name)
    assert _asks(browser.get(reverse("portal:service-cancel", args=[service.pk])))
    assert _asks(browser.get(reverse("portal:file-download", args=[world["their_file"].pk])))
    assert _asks(browser.get(reverse("portal:address", args=[address.pk])))
    assert browser.post(reverse("portal:service-cancel", args=[service.pk]), {"when": "NOW"}).status_code == 404
    assert browser.post(reverse("portal:address-default", args=[address.pk])).status_code == 404
    assert browser.post(reverse("portal:address", args=[address.pk]), {"name": "Taken"}).status_code == 404
    service.refresh_from_db()
    address.refresh_from_db()
    assert (service.status, service.cancel_requested, address.name) == before
