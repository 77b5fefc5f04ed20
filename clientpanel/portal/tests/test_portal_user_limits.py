"""Bounds on a client's users: at most MAX_CLIENT_USERS whoever adds them (portal, staff dialog, API
409), and at most throttle.MAX_INVITATIONS_PER_HOUR invitation e-mails a portal user sends; a refusal
writes nothing and sends nothing."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients import permissions as keys
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import users as user_services
from clientpanel.notifications.kinds import INVITATION
from clientpanel.notifications.models import EmailMessage

from .conftest import PASSWORD
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def _invite(browser, email):
    return browser.post(reverse("portal:users"), {"email": email, "firstname": "New", "lastname": "Person",
                                                  "permissions": [keys.VIEW_DOCUMENTS]})


def _fill(client, up_to):
    """Links made straight in the table: the service would take a second per hundred."""
    count = ClientUser.objects.filter(client=client).count()
    users = User.objects.bulk_create(User(email=f"filler{n}@example.com", firstname="F", lastname="L")
                                     for n in range(up_to - count))
    ClientUser.objects.bulk_create(ClientUser(client=client, user=user, permissions=[]) for user in users)


def test_a_client_keeps_a_bounded_number_of_users(world, api):
    # Unbounded, a portal user with Manage Users could add users (an e-mail each) without end.
    client = world["mine"]
    _fill(client, user_services.MAX_CLIENT_USERS)
    refused = _invite(_signed_in(client.owner.email), "one.too.many@example.com")
    assert refused.status_code == 200
    page = refused.content.decode()
    assert f"A client has at most {user_services.MAX_CLIENT_USERS} users" in page
    assert 'value="one.too.many@example.com"' in page  # what was typed stays
    answer = api.post(f"/clients/{client.pk}/users", {"email": "one.too.many@example.com", "firstname": "A",
                                                      "lastname": "B", "send_invitation": True})
    assert answer.status_code == 409 and "at most" in answer.json()["error"]["message"]
    assert answer.json()["error"]["code"] == "too_many_users"
    staff = Browser()
    staff.force_login(staff_create(email="clerk@example.com", password=PASSWORD, roles=["Administrator"]))
    dialog = staff.post(reverse("backoffice:client-user-associate", args=[client.pk]),
                        {"email": "one.too.many@example.com", "firstname": "A", "lastname": "B",
                         "send_invitation": "on"}, headers={"hx-request": "true"})
    assert dialog.status_code == 200 and "A client has at most" in dialog.content.decode()
    assert not User.objects.filter(email="one.too.many@example.com").exists()  # no half-write: no account either
    assert ClientUser.objects.filter(client=client).count() == user_services.MAX_CLIENT_USERS
    assert not EmailMessage.objects.filter(recipient="one.too.many@example.com").exists()
    # Another client is not held back by this one's users.
    other = world["theirs"]
    assert api.post(f"/clients/{other.pk}/users", {"email": "elsewhere@example.com", "firstname": "A",
                                                   "lastname": "B"}).status_code == 201


def test_a_portal_user_sends_a_bounded_number_of_invitations_an_hour(world, api):
    client = world["mine"]
    browser = _signed_in(client.owner.email)
    assert _invite(browser, "first@example.com").status_code == 302  # a sent invitation counts
    for _n in range(throttle.MAX_INVITATIONS_PER_HOUR - 1):
        throttle.invitation_sent(client.owner_id)
    refused = _invite(browser, "flood@example.com")
    assert refused.status_code == 200
    assert "invitations in the last hour; try again later" in refused.content.decode()
    assert not User.objects.filter(email="flood@example.com").exists()
    assert not EmailMessage.objects.filter(template=INVITATION, recipient="flood@example.com").exists()
    # Another user of the client has its own count; staff and the API are not throttled.
    colleague = _signed_in(_member(client, keys.MANAGE_USERS, keys.VIEW_DOCUMENTS))
    assert _invite(colleague, "by.colleague@example.com").status_code == 302
    assert api.post(f"/clients/{client.pk}/users", {"email": "by.api@example.com", "firstname": "A",
                                                    "lastname": "B", "send_invitation": True}).status_code == 201


def test_a_refused_invitation_costs_nothing_and_a_user_without_manage_users_sends_none(world):
    client = world["mine"]
    browser = _signed_in(client.owner.email)
    for _n in range(throttle.MAX_INVITATIONS_PER_HOUR):
        _invite(browser, "colleague@example.com")  # linked already: refused, nothing sent
    assert _invite(browser, "after.refusals@example.com").status_code == 302
    assert not throttle.invitation_blocked(client.owner_id)
    # The forbidden path: without Manage Users the page is not there and nothing is written or sent.
    outsider = _signed_in(_member(client, keys.VIEW_DOCUMENTS, email="viewer@example.com"))
    assert _invite(outsider, "sneaky@example.com").status_code == 404
    assert not User.objects.filter(email="sneaky@example.com").exists()
    assert not EmailMessage.objects.filter(recipient="sneaky@example.com").exists()


def test_a_refused_invitation_puts_the_form_first_on_a_phone(world):
    # Below lg the form follows the whole list: a refusal shown in it was off a phone's screen.
    client = world["mine"]
    _fill(client, user_services.MAX_CLIENT_USERS)
    browser = _signed_in(client.owner.email)
    column = 'class="col-lg-5 order-first order-lg-last" id="invite-column"'
    assert column not in browser.get(reverse("portal:users")).content.decode()
    refused = _invite(browser, "one.too.many@example.com").content.decode()
    assert column in refused and "A client has at most" in refused
