"""A client user's sign-in to the portal is recorded in last_login, as django.contrib.auth.login
records a staff login: staff see when the user last signed in, and a password-reset link sent
before the sign-in stops working (Django's reset token includes last_login)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage

pytestmark = pytest.mark.django_db
PASSWORD = "portal-user-passphrase"


def _sign_in(email: str) -> None:
    answer = Client().post(reverse("portal:login"), {"email": email, "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:dashboard")


def test_a_portal_sign_in_records_last_login(make_client):
    owner = make_client(password=PASSWORD).owner
    assert User.objects.get(pk=owner.pk).last_login is None
    _sign_in(owner.email)
    first = User.objects.get(pk=owner.pk).last_login
    assert first is not None
    _sign_in(owner.email)
    assert User.objects.get(pk=owner.pk).last_login > first


def test_a_wrong_password_records_no_login(make_client):
    owner = make_client(password=PASSWORD).owner
    Client().post(reverse("portal:login"), {"email": owner.email, "password": "not-the-passphrase"})
    assert User.objects.get(pk=owner.pk).last_login is None


def test_a_sign_in_ends_a_reset_link_sent_before_it(make_client):
    owner = make_client(password=PASSWORD).owner
    Client().post(reverse("portal:password_reset"), {"email": owner.email})
    message = EmailMessage.objects.get(template="password_reset", recipient=owner.email)
    link = re.search(r"http://\S+(/portal/password/reset/\S+/)",
                     links_filled(message.body_text, message.links)).group(1)
    assert Client().get(link).status_code == 200
    _sign_in(owner.email)
    assert Client().get(link).status_code == 400


def test_login_as_owner_is_not_the_clients_own_login(client, make_client):
    owner = make_client(password=PASSWORD).owner
    client.force_login(staff_create(email="support@example.com", password="correct-horse-battery",
                                    roles=["Support"]))
    answer = client.post(reverse("backoffice:client-login-as", args=[owner.owned_clients.get().pk]))
    assert answer["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert User.objects.get(pk=owner.pk).last_login is None
