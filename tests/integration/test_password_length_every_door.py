"""A password is at most 128 characters wherever one is set — the staff forms, the API's schemas and
the services' one rule (accounts.services.cleaning.clean_password) — because the logins read at most
128: a 200-character password was taken at creation (201, 302) and the portal's login then refused
it, so its owner could never sign in. A password is kept as typed, spaces around it too, as the
logins read it (the staff forms stripped it)."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import client_user_create, staff_create
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_user_link
from clientpanel.core.errors import ValidationFailed
from conftest import client_data
from tests.integration.test_staff_client_create_fields import FORM

pytestmark = pytest.mark.django_db

LONGEST = ("correct-horse-battery-staple-" * 5)[:128]
TOO_LONG = "correct-horse-battery-staple-" * 7  # 203 characters
AT_MOST = "At most 128 characters."


def _portal_login(email: str, password: str) -> int:
    return Browser().post(reverse("portal:login"), {"email": email, "password": password}).status_code


# --- the services: one rule, every way of setting a password ----------------------------------------

@pytest.mark.parametrize("make", [
    lambda password: client_create(actor=None, data=client_data(password=password)),
    lambda password: client_user_create(actor=None, data={"email": "u@example.com", "firstname": "U",
                                                          "lastname": "Ser", "password": password}),
    lambda password: client_user_link(actor=None, client_id=client_create(actor=None, data=client_data()).pk,
                                      data={"email": "u@example.com", "firstname": "U", "lastname": "Ser",
                                            "password": password, "permissions": []}),
    lambda password: staff_create(email="s@example.com", password=password, roles=["Support"]),
], ids=["client_create", "client_user_create", "client_user_link", "staff_create"])
def test_every_service_that_sets_a_password_refuses_more_than_128_characters(make):
    with pytest.raises(ValidationFailed) as refused:
        make(TOO_LONG)
    assert refused.value.fields["password"] == [AT_MOST]
    assert not User.objects.filter(email__in=["u@example.com", "s@example.com"]).exists()
    assert make(LONGEST) is not None


# --- the API ----------------------------------------------------------------------------------------

def test_the_api_refuses_a_password_the_login_would_refuse_and_takes_the_longest_it_reads(api):
    data = client_data(password=TOO_LONG)
    refused = api.post("/clients", data)
    assert refused.status_code == 422 and "password" in refused.json()["error"]["fields"]
    assert not Client.objects.exists()
    made = api.post("/clients", client_data(email=data["email"], password=LONGEST))
    assert made.status_code == 201, made.json()
    assert _portal_login(data["email"], LONGEST) == 302
    client_id = made.json()["id"]
    for path, body in (("/users", {"email": "u@example.com", "firstname": "U", "lastname": "Ser"}),
                       (f"/clients/{client_id}/users", {"email": "u@example.com", "firstname": "U",
                                                        "lastname": "Ser", "permissions": []})):
        response = api.post(path, {**body, "password": TOO_LONG})
        assert response.status_code == 422 and "password" in response.json()["error"]["fields"], path
    assert not User.objects.filter(email="u@example.com").exists()


# --- the staff panel's forms ------------------------------------------------------------------------

def test_staff_add_new_client_refuses_a_longer_password_and_keeps_one_as_typed(staff_client):
    refused = staff_client.post("/staff/clients/create/", {**FORM, "password": "x" * 10_000})
    assert refused.status_code == 200 and "at most 128 characters" in refused.content.decode()
    assert not Client.objects.exists()
    spaced = "  a spaced owner passphrase  "
    assert staff_client.post("/staff/clients/create/", {**FORM, "password": spaced}).status_code == 302
    assert _portal_login(FORM["email"], spaced) == 302


def test_staff_linking_a_new_user_refuses_a_longer_password_and_keeps_one_as_typed(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:client-user-associate", args=[client.pk])
    form = {"email": "new@example.com", "firstname": "New", "lastname": "User", "permissions": []}
    refused = staff_client.post(url, {**form, "password": TOO_LONG})
    assert "at most 128 characters" in refused.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    spaced = "  a spaced user passphrase  "
    staff_client.post(url, {**form, "password": spaced})
    assert User.objects.get(email="new@example.com").check_password(spaced)


def test_staff_creating_a_staff_member_refuses_a_longer_password_and_keeps_one_as_typed(staff_client):
    url = reverse("backoffice:staff-create")
    refused = staff_client.post(url, {"email": "agent@example.com", "password": TOO_LONG, "roles": ["Support"]})
    assert "at most 128 characters" in refused.content.decode()
    assert not User.objects.filter(email="agent@example.com").exists()
    spaced = "  a spaced staff passphrase  "
    staff_client.post(url, {"email": "agent@example.com", "password": spaced, "roles": ["Support"]})
    assert User.objects.get(email="agent@example.com").check_password(spaced)
