"""Choosing a password from an e-mailed link: once, before it expires, never logging in by itself."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.links import SET_PASSWORD, VERIFY_EMAIL, link_args
from clientpanel.accounts.models import User
from clientpanel.clients.services import client_user_link, client_user_remove

pytestmark = pytest.mark.django_db


def _url(user) -> str:
    return reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, user))


def test_a_link_sets_the_password_once_and_verifies_the_address(client, make_client):
    owner = make_client().owner
    assert not owner.has_usable_password()
    url = _url(owner)
    page = client.get(url)
    assert page.status_code == 200 and owner.email in page.content.decode()

    differ = client.post(url, {"password": "a-long-passphrase-1", "password_again": "another-one-2"})
    assert differ.status_code == 200 and "The two passwords differ." in differ.content.decode()
    weak = client.post(url, {"password": "123", "password_again": "123"})
    assert "too short" in weak.content.decode()

    done = client.post(url, {"password": "a-long-passphrase-1", "password_again": "a-long-passphrase-1"})
    assert done.status_code == 200 and "Your password is set" in done.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("a-long-passphrase-1") and owner.email_verified
    assert "_auth_user_id" not in client.session  # the link logs nobody in

    again = client.get(url)
    assert again.status_code == 400 and "not valid" in again.content.decode()


def test_a_tampered_expired_or_foreign_link_is_refused(client, make_client, monkeypatch):
    owner = make_client().owner
    args = link_args(SET_PASSWORD, owner)
    tampered = reverse("portal:set_password", kwargs={**args, "token": args["token"][:-1] + "x"})
    assert client.get(tampered).status_code == 400
    nobody = reverse("portal:set_password", kwargs={"uidb64": "bm90LWEtdXVpZA", "token": args["token"]})
    assert client.get(nobody).status_code == 400
    later = dt.datetime.now() + dt.timedelta(days=8)
    monkeypatch.setattr(SET_PASSWORD, "_now", lambda: later)
    assert client.get(reverse("portal:set_password", kwargs=args)).status_code == 400


def test_posting_without_csrf_is_refused(make_client):
    owner = make_client().owner
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(_url(owner), {"password": "a-long-passphrase-1", "password_again": "a-long-passphrase-1"})
    assert response.status_code == 403
    owner.refresh_from_db()
    assert not owner.has_usable_password()


def test_an_invitation_withdrawn_before_its_password_is_chosen_has_a_dead_link(client, make_client):
    """Removing the only client of a user who never chose a password withdraws the invitation; a
    user another client still invited keeps its link, and one with a password is left as it is."""
    first, second = make_client(), make_client(company_name="Second Ltd")
    invited = client_user_link(actor=None, client_id=first.pk, data={
        "email": "invited@example.com", "firstname": "In", "lastname": "Vited", "permissions": []}).user
    client_user_link(actor=None, client_id=second.pk, data={"email": invited.email, "permissions": []})
    url = _url(invited)
    client_user_remove(actor=None, client_id=first.pk, user_id=invited.pk)
    assert client.get(url).status_code == 200  # the second client's invitation stands
    client_user_remove(actor=None, client_id=second.pk, user_id=invited.pk)
    assert client.get(url).status_code == 400
    refused = client.post(url, {"password": "a-long-passphrase-1", "password_again": "a-long-passphrase-1"})
    assert refused.status_code == 400
    assert not User.objects.filter(pk=invited.pk).exists()  # a login nobody used goes with its last link

    member = client_user_link(actor=None, client_id=first.pk, data={
        "email": "member@example.com", "firstname": "Mem", "lastname": "Ber", "password": "a-long-passphrase-2",
        "permissions": []}).user
    client_user_remove(actor=None, client_id=first.pk, user_id=member.pk)
    member.refresh_from_db()
    assert member.check_password("a-long-passphrase-2")  # its own password, kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_links_pages_lock_in_transactions_of_their_own(make_client):
    """As a request runs them: no test transaction around it, so a row lock outside a transaction
    would be PostgreSQL's error (a 500), which a test wrapped in one does not see."""
    owner = make_client().owner
    browser = Client()
    assert browser.post(reverse("portal:verify_email", kwargs=link_args(VERIFY_EMAIL, owner))).status_code == 200
    done = browser.post(_url(owner), {"password": "a-long-passphrase-1", "password_again": "a-long-passphrase-1"})
    assert done.status_code == 200
    owner.refresh_from_db()
    assert owner.email_verified and owner.check_password("a-long-passphrase-1")
    invited = client_user_link(actor=None, client_id=make_client(company_name="Other").pk, data={
        "email": "invited@example.com", "firstname": "In", "lastname": "Vited", "permissions": []})
    client_user_remove(actor=None, client_id=invited.client_id, user_id=invited.user_id)
    assert browser.get(_url(invited.user)).status_code == 400
