"""A CLOSED or FRAUD client is closed to its users (clients.rules.portal_open): no sign-in for it,
not offered or selectable in the switcher, a session acting for it loses it on the next request,
nothing paid, ordered or invited for it; INACTIVE keeps the portal; staff's Login as Owner still
opens it (their own, audited action)."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.links import SET_PASSWORD, link_args
from clientpanel.accounts.services import staff_create
from clientpanel.client_services.models import Service
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Client, ClientStatus, ClientUser
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import NotFound
from clientpanel.payments.models import PaymentAttempt

from .conftest import PASSWORD
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

CLOSED_WORDS = "This account is closed."


def _set_status(client, status):
    """Staff change the status (the client's record), perhaps while its users are signed in."""
    Client.objects.filter(pk=client.pk).update(status=status)


def _both(world, email="both@example.com", permissions=(keys.MANAGE_INVOICES,)):
    """A user linked to Mine and to Theirs, with these permissions (Manage Invoices) on both."""
    client_user_link(actor=None, client_id=world["mine"].pk, data={
        "email": email, "firstname": "Bo", "lastname": "Th", "password": PASSWORD,
        "permissions": list(permissions)})
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": list(permissions)})
    return email


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_user_whose_only_client_is_closed_or_fraud_cannot_sign_in(world, status):
    _set_status(world["mine"], status)
    browser = Browser()
    page = browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    text = page.content.decode()
    assert page.status_code == 200 and CLOSED_WORDS in text
    assert "fraud" not in text.lower()  # one message for both: the user is never told "fraud"
    assert browser.get(reverse("portal:dashboard")).status_code == 302  # not signed in


def test_a_wrong_password_for_a_closed_client_says_nothing_of_its_status(world):
    _set_status(world["mine"], ClientStatus.CLOSED)
    text = Browser().post(reverse("portal:login"), {"email": world["mine"].owner.email,
                                                    "password": "wrong"}).content.decode()
    assert CLOSED_WORDS not in text and "Please enter a correct email and password" in text


@pytest.mark.parametrize("status", [ClientStatus.INACTIVE, ClientStatus.NEW, ClientStatus.ACTIVE])
def test_an_inactive_or_new_client_keeps_the_portal(world, status):
    _set_status(world["mine"], status)
    browser = _signed_in(world["mine"].owner.email)
    assert world["mine_doc"].number in browser.get(reverse("portal:invoices")).content.decode()


def test_a_closed_client_is_neither_offered_nor_selectable_nor_reachable_by_link(world):
    email = _both(world)
    _set_status(world["theirs"], ClientStatus.FRAUD)
    browser = _signed_in(email)  # its other client is open: it signs in, acting for that one
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" not in page
    assert browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)}).status_code == 404
    # An e-mailed link to the closed client's proforma ("pay this invoice"): no page, no offer to switch.
    document = browser.get(reverse("portal:document", args=[world["their_doc"].pk]))
    assert document.status_code == 404
    before = PaymentAttempt.objects.count()
    paid = browser.post(reverse("portal:pay"), {"documents": [str(world["their_doc"].pk)]})
    assert paid.status_code == 302 and PaymentAttempt.objects.count() == before


def test_a_session_acting_for_a_client_closed_meanwhile_loses_it_on_the_next_request(world):
    email = _both(world)
    browser = _signed_in(email)
    browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)})
    assert world["their_doc"].number in browser.get(reverse("portal:invoices")).content.decode()
    _set_status(world["theirs"], ClientStatus.CLOSED)  # staff close it while the user is signed in
    page = browser.get(reverse("portal:invoices")).content.decode()
    assert world["their_doc"].number not in page and world["mine_doc"].number in page  # back on Mine
    assert browser.get(reverse("portal:document", args=[world["their_doc"].pk])).status_code == 404


def test_an_action_meant_for_a_client_closed_meanwhile_is_not_done_for_another(world):
    email = _both(world, permissions=(keys.MANAGE_SERVICES, keys.MANAGE_ORDERS))  # Mine may order too
    browser = _signed_in(email)
    browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)})
    _set_status(world["theirs"], ClientStatus.CLOSED)
    services = Service.objects.count()
    refused = browser.post(reverse("portal:order"), {"price": str(world["price"].pk)})
    # Not dropped silently: a page says it was not done, why, and for whom the session acts now.
    text = refused.content.decode()
    assert refused.status_code == 409 and "What you sent was not done" in text
    assert ("Theirs Ltd is no longer open to you in the client area. You now act for Mine Ltd "
            f"({world['mine'].number}).") in text
    assert Service.objects.count() == services  # nothing ordered for Mine instead
    # From now on the session acts for Mine, plainly.
    assert browser.post(reverse("portal:order"), {"price": str(world["price"].pk)}).status_code == 302
    assert Service.objects.count() == services + 1


def test_a_user_whose_only_client_closes_mid_session_is_signed_out_and_does_nothing(world):
    owner_email = world["mine"].owner.email
    browser = _signed_in(owner_email)
    assert browser.get(reverse("portal:dashboard")).status_code == 200
    _set_status(world["mine"], ClientStatus.FRAUD)
    attempts, services, links = PaymentAttempt.objects.count(), Service.objects.count(), ClientUser.objects.count()
    for url, data in ((reverse("portal:pay"), {"documents": [str(world["mine_doc"].pk)]}),
                      (reverse("portal:order"), {"price": str(world["price"].pk)}),
                      (reverse("portal:users"), {"email": "new.person@example.com", "firstname": "New",
                                                 "lastname": "Person", "permissions": [keys.VIEW_DOCUMENTS]}),
                      (reverse("portal:add-funds"), {"amount": "20"})):
        _set_status(world["mine"], ClientStatus.ACTIVE)  # each action from a session signed in before the close
        browser = _signed_in(owner_email)
        _set_status(world["mine"], ClientStatus.FRAUD)
        refused = browser.post(url, data)
        text = refused.content.decode()  # not dropped silently: not done, and why
        assert refused.status_code == 409 and "What you sent was not done" in text and CLOSED_WORDS in text
        assert "fraud" not in text.lower()
        again = browser.post(url, data)  # signed out by then: the login page, as any signed-out POST
        assert again.status_code == 302 and again["Location"].startswith(reverse("portal:login"))
    assert (PaymentAttempt.objects.count(), Service.objects.count(), ClientUser.objects.count()) == \
        (attempts, services, links)
    # The payer's pages of a payment started before the client closed are closed too.
    attempt = world["mine_attempt"]
    assert browser.get(reverse("portal:payment", args=[attempt.pk])).status_code == 302
    assert browser.get(reverse("portal:test-gateway", args=[attempt.pk])).status_code == 302
    # Signed out, told why (in the same words as at sign-in), and no way back in.
    _signed_in_again = browser.get(reverse("portal:dashboard"), follow=True).content.decode()
    assert 'id="portal-login"' in _signed_in_again
    refused = browser.post(reverse("portal:login"), {"email": owner_email, "password": PASSWORD})
    assert CLOSED_WORDS in refused.content.decode()


def test_the_closed_message_follows_a_session_ended_by_the_status(world):
    browser = _signed_in(world["mine"].owner.email)
    _set_status(world["mine"], ClientStatus.CLOSED)
    page = browser.get(reverse("portal:invoices"), follow=True).content.decode()
    assert 'id="portal-login"' in page and CLOSED_WORDS in page


def test_an_invitation_into_a_closed_client_sets_a_password_but_opens_no_portal(world):
    link = client_user_link(actor=None, client_id=world["mine"].pk, data={
        "email": "invitee@example.com", "firstname": "In", "lastname": "Vitee", "permissions": []})
    _set_status(world["mine"], ClientStatus.CLOSED)
    browser = Browser()
    url = reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, link.user))
    chosen = browser.post(url, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})
    assert chosen.status_code == 200
    refused = browser.post(reverse("portal:login"), {"email": "invitee@example.com",
                                                     "password": "a-brand-new-passphrase"})
    assert CLOSED_WORDS in refused.content.decode()
    assert browser.get(reverse("portal:dashboard")).status_code == 302


def test_the_portal_actor_is_refused_for_a_closed_client_but_not_to_staff_logged_in_as_it(world):
    owner = world["mine"].owner
    assert portal_actor(owner, world["mine"].pk).client_id == world["mine"].pk
    _set_status(world["mine"], ClientStatus.CLOSED)
    with pytest.raises(NotFound):
        portal_actor(owner, world["mine"].pk)
    staff = staff_create(email="looker@example.com", password="correct-horse-battery", roles=["Support"])
    assert portal_actor(owner, world["mine"].pk, impersonator=staff).client_id == world["mine"].pk


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_staff_may_login_as_owner_of_a_closed_client_and_are_told_its_status(client, world, status):
    staff = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(staff)
    _set_status(world["mine"], status)
    response = client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk]))
    assert response["Location"] == reverse("portal:dashboard")
    page = client.get(reverse("portal:invoices")).content.decode()
    assert 'id="closed-client-note"' in page and world["mine_doc"].number in page
    # The owner itself is still refused.
    refused = Browser().post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    assert CLOSED_WORDS in refused.content.decode()
