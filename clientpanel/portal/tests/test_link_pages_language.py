"""The pages an e-mailed link opens (set a password from an invitation, reset it, verify an address)
speak the language of the user the link was made for — a Polish invitee read "Choose your password"
under a Polish e-mail — with their refusals and confirmation, whatever the browser asks for, unless
the visitor chose a language with the switch."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.links import RESET_PASSWORD, SET_PASSWORD, VERIFY_EMAIL, link_args
from clientpanel.accounts.models import User
from clientpanel.clients.services import client_user_link

pytestmark = pytest.mark.django_db
NEW = "a-long-passphrase-1"


@pytest.fixture
def invitee(make_client):
    """Invited to a Polish client: the user reads Polish (the invitation speaks the client's language)."""
    client = make_client(currency="PLN", language="pl")
    user = client_user_link(actor=None, client_id=client.pk, data={
        "email": "nowa@example.com", "firstname": "Anna", "lastname": "Nowak", "permissions": []}).user
    assert user.language == "pl"
    return user


def _browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")


def test_an_invitation_link_speaks_the_invitees_language_through_to_the_confirmation(invitee):
    url = reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, invitee))
    browser = _browser()
    page = browser.get(url)
    assert page["Content-Language"] == "pl"
    assert '<html lang="pl">' in page.content.decode() and "Ustaw hasło" in page.content.decode()
    differ = browser.post(url, {"password": NEW, "password_again": "another-one-2"}).content.decode()
    assert "Hasła się różnią." in differ
    done = browser.post(url, {"password": NEW, "password_again": NEW}).content.decode()
    assert "Hasło jest ustawione" in done
    spent = browser.get(url)  # used once: refused, in Polish too
    assert spent.status_code == 400 and "Ten link jest nieważny" in spent.content.decode()


def test_the_reset_and_verification_links_speak_it_too(invitee):
    reset = _browser().get(reverse("portal:reset_password", kwargs=link_args(RESET_PASSWORD, invitee)))
    assert "Ustaw nowe hasło" in reset.content.decode()
    url = reverse("portal:verify_email", kwargs=link_args(VERIFY_EMAIL, invitee))
    browser = _browser()
    assert "Potwierdź adres e-mail" in browser.get(url).content.decode()
    assert "Adres potwierdzony" in browser.post(url).content.decode()


def test_a_language_the_visitor_chose_wins_and_a_link_of_nobody_speaks_the_browsers(invitee):
    url = reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, invitee))
    browser = _browser()
    browser.post(reverse("portal:language"), {"language": "en", "next": url})
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Choose your password" in browser.get(url).content.decode()
    nobody = _browser().get(reverse("portal:set_password", kwargs={"uidb64": "bm9ib2R5", "token": "x-y"}))
    assert nobody.status_code == 400 and "This link is not valid" in nobody.content.decode()
    User.objects.filter(pk=invitee.pk).update(language="en")
    page = Client(HTTP_ACCEPT_LANGUAGE="pl").get(url).content.decode()
    assert "Choose your password" in page  # an English user's link is English, whatever the browser
