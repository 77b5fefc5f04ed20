"""Issue 9: API tokens can be revoked (command and service), expire when asked, record their last use."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from clientpanel.accounts.models import ApiToken
from clientpanel.accounts.services import api_token_create, api_token_revoke, staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def bearer(client, secret: str):
    return client.get("/api/v1/clients", headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def member(db):
    return staff_create(email="member@example.com", password=PASSWORD, roles=["Support"])


def test_a_revoked_token_is_refused_at_once(client, member):
    token, secret = api_token_create(user=member, name="sync")
    assert bearer(client, secret).status_code == 200
    api_token_revoke(actor=member, token_id=token.pk)
    assert bearer(client, secret).status_code == 401
    again = api_token_revoke(actor=member, token_id=token.pk)  # revoking twice changes nothing
    assert again.revoked_at == ApiToken.objects.get(pk=token.pk).revoked_at
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize("how", ["id", "prefix", "token", "email"])
def test_revoke_api_token_command(client, member, capsys, how):
    token, secret = api_token_create(user=member)
    other = staff_create(email="o@example.com", password=PASSWORD, roles=["Support"])
    _, other_secret = api_token_create(user=other)
    value = {"id": str(token.pk), "prefix": token.prefix, "token": secret, "email": "MEMBER@example.com"}[how]
    call_command("revoke_api_token", f"--{how}", value)
    assert f"Revoked {token.prefix}…" in capsys.readouterr().out
    assert bearer(client, secret).status_code == 401
    assert bearer(client, other_secret).status_code == 200  # only what was named
    with pytest.raises(CommandError, match="No live API token"):
        call_command("revoke_api_token", "--prefix", "cp_nothing")
    with pytest.raises(CommandError):
        call_command("revoke_api_token")  # say which


def test_a_token_with_an_expiry_stops_working_then(client, member):
    token, secret = api_token_create(user=member, expires_at=timezone.now() + dt.timedelta(days=1))
    assert bearer(client, secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(client, secret).status_code == 401
    assert ApiToken.objects.get(pk=token.pk).state() == "expired"
    for bad in (timezone.now() - dt.timedelta(minutes=1), timezone.now() + dt.timedelta(days=4000)):
        with pytest.raises(ValidationFailed) as failure:
            api_token_create(user=member, expires_at=bad)
        assert "expires_at" in failure.value.fields


def test_create_api_token_takes_an_expiry_date(member, capsys):
    tomorrow = (timezone.now() + dt.timedelta(days=2)).date().isoformat()
    call_command("create_api_token", "--email", member.email, "--expires", tomorrow)
    token = ApiToken.objects.get()
    assert token.expires_at.date().isoformat() == tomorrow and token.expires_at.hour == 0
    with pytest.raises(CommandError, match="date like"):
        call_command("create_api_token", "--email", member.email, "--expires", "next week")
    with pytest.raises(CommandError, match="future"):
        call_command("create_api_token", "--email", member.email, "--expires", "2001-01-01")


def test_last_use_is_recorded(client, member):
    token, secret = api_token_create(user=member)
    assert token.last_used_at is None
    bearer(client, secret)
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None and timezone.now() - used < dt.timedelta(minutes=1)


def test_staff_create_tokens_only_for_themselves_and_revoke_only_what_they_may(member):
    other = staff_create(email="other@example.com", password=PASSWORD, roles=["Support"])
    with pytest.raises(PermissionDenied):
        api_token_create(actor=member, user=other)
    token, _ = api_token_create(user=other)
    with pytest.raises(NotFound):
        api_token_revoke(actor=member, token_id=token.pk)  # no Manage staff: only its own
    assert ApiToken.objects.get(pk=token.pk).state() == "active"
    manager = staff_create(email="manager@example.com", password=PASSWORD, roles=["Administrator"])
    assert api_token_revoke(actor=manager, token_id=token.pk).state() == "revoked"
    root = staff_create(email="root@example.com", password=PASSWORD, superuser=True)
    root_token, _ = api_token_create(user=root)
    with pytest.raises(NotFound):
        api_token_revoke(actor=manager, token_id=root_token.pk)  # only superusers change superusers
    with pytest.raises(NotFound):
        api_token_revoke(actor=manager, token_id="not-a-number")
