"""Redis failing after the password (and code) were checked and the session made, as the login's
failures are forgiven: the person is signed in, so the door says so (a redirect), not a 503
"sign-in is unavailable" over a session that works. Only the forgiving is lost (logged)."""

import pytest
import redis
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.accounts.services import staff_create
from clientpanel.accounts.tests.test_login_security import PASSWORD

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_staff_signed_in_is_told_so(client, monkeypatch):
    member = staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    monkeypatch.setattr(throttle, "_forget", _down)
    response = client.post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("backoffice:dashboard")).status_code == 200
    assert any(name.startswith("cp_device_") for name in response.cookies)  # its device cookie all the same


def test_portal_signed_in_is_told_so(client, make_client, monkeypatch):
    owner = make_client(password=PASSWORD).owner
    monkeypatch.setattr(throttle, "_forget", _down)
    response = client.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200
