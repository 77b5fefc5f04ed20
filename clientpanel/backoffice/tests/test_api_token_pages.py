"""Issue 9: Settings → API tokens — list, create (secret shown once), revoke; staff see only their own
tokens unless they manage staff."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.models import ApiToken
from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.clients.models import StaffAssignment

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
URL = "/staff/settings/api-tokens/"


def bearer(client, secret: str) -> int:
    return client.get("/api/v1/clients", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_create_a_token_see_it_once_use_it_and_revoke_it(client):
    member = staff_create(email="member@example.com", password=PASSWORD, roles=["Support"])
    client.force_login(member)
    expires = (timezone.now() + dt.timedelta(days=30)).date()
    response = client.post(URL, {"name": "Billing sync", "scopes": ["clients:read"], "expires_on": expires})
    page = response.content.decode()
    token = ApiToken.objects.get()
    secret = page.split('id="new-token-secret">')[1].split("<")[0]
    assert secret.startswith(token.prefix) and "Copy it now" in page
    assert (token.name, token.scopes, token.expires_at.date()) == ("Billing sync", ["clients:read"], expires)
    assert "no-store" in response["Cache-Control"]
    assert bearer(client, secret) == 200
    listed = client.get(URL).content.decode()
    assert secret not in listed  # shown once
    row = listed.split(f'id="token-{token.pk}"')[1].split("</tr>")[0]
    assert "Billing sync" in row and "clients:read" in row and "active" in row
    # Created, last used (the call above) and the expiry are all shown.
    assert token.created_at.strftime("%Y-%m-%d") in row and expires.isoformat() in row and "never" not in row
    client.post(reverse("backoffice:api-token-revoke", args=[token.pk]))
    assert bearer(client, secret) == 401
    assert "revoked" in client.get(URL).content.decode().split(f'id="token-{token.pk}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "scopes": ["finance:write"]}, "valid choice"),  # a scope the role does not grant
    ({"name": "x", "scopes": ["clients:read"], "expires_on": "2001-01-01"}, "in the future"),
    ({"name": "x", "scopes": ["clients:read"], "expires_on": "tomorrow"}, "valid date"),
    ({"name": "x"}, "at least one scope"),
])
def test_bad_token_input_is_a_field_error(client, data, message):
    client.force_login(staff_create(email="member@example.com", password=PASSWORD, roles=["Support"]))
    response = client.post(URL, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_see_and_revoke_only_their_own_tokens_unless_they_manage_staff(client, make_client):
    reader = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    other = staff_create(email="other@example.com", password=PASSWORD, roles=["Support"])
    mine, _ = api_token_create(user=reader, name="mine")
    theirs, their_secret = api_token_create(user=other, name="theirs")
    client.force_login(reader)
    page = client.get(URL).content.decode()
    assert mine.prefix in page and theirs.prefix not in page
    client.post(reverse("backoffice:api-token-revoke", args=[theirs.pk]))
    assert bearer(client, their_secret) == 200

    assigned = make_client()
    limited = staff_create(email="limited@example.com", password=PASSWORD, roles=["Administrator"],
                           limited_to_assigned_clients=True)
    peer = staff_create(email="peer@example.com", password=PASSWORD, roles=["Support"],
                        limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=assigned)
    StaffAssignment.objects.create(staff=peer, client=assigned)
    peers, peer_secret = api_token_create(user=peer, name="peer's")
    client.force_login(limited)
    page = client.get(URL).content.decode()
    assert peers.prefix in page and theirs.prefix not in page  # other is not limited: outside its limits
    client.post(reverse("backoffice:api-token-revoke", args=[theirs.pk]))
    assert bearer(client, their_secret) == 200
    client.post(reverse("backoffice:api-token-revoke", args=[peers.pk]))
    assert bearer(client, peer_secret) == 401

    client.force_login(staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"]))
    page = client.get(URL).content.decode()
    assert theirs.prefix in page and mine.prefix in page and "reader@example.com" in page
    client.post(reverse("backoffice:api-token-revoke", args=[theirs.pk]))
    assert bearer(client, their_secret) == 401


def test_staff_without_scopes_are_told_why_they_cannot_create_one(client):
    client.force_login(staff_create(email="norole@example.com", password=PASSWORD))
    page = client.get(URL).content.decode()
    assert "grant no API scopes" in page
    assert client.post(URL, {"name": "x", "scopes": []}).status_code == 200
    assert not ApiToken.objects.exists()
