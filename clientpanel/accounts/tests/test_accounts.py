import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from clientpanel.accounts.models import ApiToken, User
from clientpanel.accounts.scopes import ALL_SCOPES
from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.accounts.tokens import hash_token
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_production_settings_hash_passwords_with_argon2(settings):
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = staff_create(email="a@example.com", password="correct-horse-battery")
    assert user.password.startswith("argon2$")


def test_emails_are_unique_whatever_their_case():
    staff_create(email="Mixed.Case@Example.com", password="correct-horse-battery")
    assert User.objects.get().email == "mixed.case@example.com"
    with pytest.raises(ValidationFailed, match="fields"):
        staff_create(email="MIXED.case@example.COM", password="correct-horse-battery")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Upper@Example.com")  # bypassing normalisation hits the constraint


def test_createstaff_command(capsys):
    call_command("createstaff", "--email", "boss@example.com", "--password", "correct-horse-battery", "--superuser")
    user = User.objects.get(email="boss@example.com")
    assert user.is_staff and user.is_superuser
    with pytest.raises(CommandError, match="password"):
        call_command("createstaff", "--email", "weak@example.com", "--password", "123")


def test_create_api_token_prints_token_last_and_stores_only_its_hash(capsys):
    staff_create(email="boss@example.com", password="correct-horse-battery", roles=["Administrator"])
    call_command("create_api_token", "--email", "boss@example.com")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    assert token.scopes == sorted(ALL_SCOPES)
    call_command("create_api_token", "--email", "boss@example.com", "--scopes", "clients:read")
    assert ApiToken.objects.latest("id").scopes == ["clients:read"]


def test_api_tokens_only_for_staff_and_known_scopes(make_client):
    owner = make_client().owner
    with pytest.raises(ValidationFailed, match="staff"):
        api_token_create(user=owner)
    staff = staff_create(email="boss@example.com", password="correct-horse-battery", roles=["Read-only"])
    with pytest.raises(ValidationFailed, match="does not hold"):
        api_token_create(user=staff, scopes=["clients:write"])
    with pytest.raises(ValidationFailed, match="Unknown scopes"):
        api_token_create(user=staff, scopes=["everything"])
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "--email", "ghost@example.com")
