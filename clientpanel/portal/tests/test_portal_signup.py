"""Self-registration: off by default; when on, a NEW client whose owner confirms the address before
logging in; an address in use learns nothing; bots meet a honeypot and a per-address limit."""

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.clients.models import Client, ClientStatus
from clientpanel.notifications.kinds import EMAIL_VERIFICATION
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage

pytestmark = pytest.mark.django_db
SIGNUP = {"email": "Fresh.Signup@Example.com", "password": "a-fresh-passphrase", "firstname": "Fresh",
          "lastname": "Signup", "company_name": "Fresh Ltd", "country": "DE", "currency": "EUR"}


@pytest.fixture
def open_signup(settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True


def test_sign_up_is_off_by_default(client):
    assert client.get(reverse("portal:signup")).status_code == 404
    assert client.post(reverse("portal:signup"), SIGNUP).status_code == 404
    assert 'id="signup-link"' not in client.get(reverse("portal:login")).content.decode()
    assert not User.objects.filter(email="fresh.signup@example.com").exists()


def test_a_sign_up_verifies_its_address_before_the_first_login(client, open_signup):
    assert 'id="signup-link"' in client.get(reverse("portal:login")).content.decode()
    done = client.post(reverse("portal:signup"), SIGNUP)
    assert done.status_code == 200 and 'id="signup-done"' in done.content.decode()
    created = Client.objects.get(owner__email="fresh.signup@example.com")
    assert (created.status, created.currency, created.billing_country) == (ClientStatus.NEW, "EUR", "DE")
    assert created.owner.self_registered and not created.owner.email_verified

    refused = Browser().post(reverse("portal:login"), {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert refused.status_code == 200 and "Confirm your email address first" in refused.content.decode()

    message = EmailMessage.objects.get(template=EMAIL_VERIFICATION, recipient="fresh.signup@example.com")
    link = re.search(r"http://[^/]+(/portal/verify/\S+/)", links_filled(message.body_text, message.links)).group(1)
    assert "verified" in client.post(link).content.decode()
    signed = Browser().post(reverse("portal:login"), {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert signed.status_code == 302


def test_an_address_in_use_learns_nothing_and_nothing_is_written(client, open_signup, make_client):
    taken = make_client(email="taken@example.com")
    clients, mails = Client.objects.count(), EmailMessage.objects.count()
    page = client.post(reverse("portal:signup"), {**SIGNUP, "email": "Taken@example.com"})
    assert page.status_code == 200 and 'id="signup-done"' in page.content.decode()
    assert (Client.objects.count(), EmailMessage.objects.count()) == (clients, mails)
    taken.owner.refresh_from_db()
    assert not taken.owner.self_registered
    # Other fields are still checked: a mistake is shown whether or not the address is taken.
    bad = client.post(reverse("portal:signup"), {**SIGNUP, "email": "taken@example.com", "firstname": ""})
    assert "This field is required." in bad.content.decode()


def test_bad_input_is_explained_and_writes_nothing(client, open_signup, settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "EUR"]
    page = client.post(reverse("portal:signup"), {**SIGNUP, "country": "ZZ", "currency": "PLN",
                                                  "lastname": "x" * 151}).content.decode()
    assert "Select a valid choice" in page and "at most 150" in page
    assert 'value="Fresh Ltd"' in page  # what was typed stays
    page = client.post(reverse("portal:signup"), {**SIGNUP, "password": "fresh123"}).content.decode()
    assert "too short" in page or "too common" in page
    page = client.post(reverse("portal:signup"), {**SIGNUP, "firstname": "\x00"}).content.decode()
    assert 'id="signup-done"' not in page
    assert not User.objects.filter(email="fresh.signup@example.com").exists()


def test_the_honeypot_and_the_rate_limit_stop_bots(client, open_signup):
    trapped = client.post(reverse("portal:signup"), {**SIGNUP, "website": "http://spam.example"})
    assert 'id="signup-done"' in trapped.content.decode()
    assert not User.objects.filter(email="fresh.signup@example.com").exists()
    for n in range(10):
        client.post(reverse("portal:signup"), {**SIGNUP, "email": f"bot{n}@example.com"})
    blocked = client.post(reverse("portal:signup"), {**SIGNUP, "email": "bot-last@example.com"}).content.decode()
    assert "Too many sign-ups" in blocked
    assert not User.objects.filter(email="bot-last@example.com").exists()


def test_sign_up_needs_csrf(open_signup):
    assert Browser(enforce_csrf_checks=True).post(reverse("portal:signup"), SIGNUP).status_code == 403
