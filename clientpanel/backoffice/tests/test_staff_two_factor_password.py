"""A staff member's own 2FA page asks for the present password to turn 2FA on or off, as the
portal's does (security audit of 2026-11-25): a wrong password changes nothing; guesses are
throttled with the staff login's count."""

import pyotp
import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.accounts.throttle import MAX_FAILURES
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
WRONG = "This is not your present password."


def _state(user_id):
    user = User.objects.get(pk=user_id)
    return user.totp_secret, user.totp_confirmed_at, list(user.recovery_codes), user.totp_last_step


@pytest.fixture
def member(client):
    staff = staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    client.force_login(staff)
    return staff


def test_staff_turn_2fa_on_only_with_the_present_password(client, member):
    url = reverse("backoffice:account-2fa")
    assert 'name="current_password"' in client.get(url).content.decode()
    member.refresh_from_db()
    code = pyotp.TOTP(member.totp_secret).now()
    refused = client.post(url, {"action": "confirm", "code": code, "current_password": "guess"}).content.decode()
    assert WRONG in refused and 'id="recovery-codes"' not in refused
    assert not User.objects.get(pk=member.pk).has_2fa
    assert not AuditEvent.objects.filter(action="staff.2fa_on").exists()
    on = client.post(url, {"action": "confirm", "code": code, "current_password": PASSWORD}).content.decode()
    assert 'id="recovery-codes"' in on and User.objects.get(pk=member.pk).has_2fa


def test_staff_turn_2fa_off_only_with_the_present_password_and_guesses_are_throttled(client, member):
    totp_begin(user=member)
    recovery = totp_confirm(user=member, code=pyotp.TOTP(member.totp_secret).now(), password=PASSWORD)
    url = reverse("backoffice:account-2fa")
    before = _state(member.pk)
    for n in range(MAX_FAILURES):
        page = client.post(url, {"action": "disable", "code": recovery[0], "current_password": f"guess-{n}"})
        assert WRONG in page.content.decode()
    blocked = client.post(url, {"action": "disable", "code": recovery[0], "current_password": PASSWORD})
    assert "Too many failed attempts" in blocked.content.decode()
    assert _state(member.pk) == before  # still on, no recovery code spent
    assert not AuditEvent.objects.filter(action="staff.2fa_off").exists()
    # The staff login counts the same guesses.
    login = Browser().post(reverse("backoffice:login"), {"username": member.email, "password": PASSWORD})
    assert "Too many failed attempts" in login.content.decode()


def test_a_secret_shown_to_another_staff_session_is_not_the_one_confirmed(client, member):
    """As in the portal: each look at the page makes a new secret, so one a borrowed session saw is
    gone once its owner looks, and the secret confirmed was shown to the owner alone."""
    url = reverse("backoffice:account-2fa")
    thief = Browser()
    thief.force_login(member)
    client.get(url)
    thief.get(url)
    seen_by_thief = User.objects.get(pk=member.pk).totp_secret
    assert seen_by_thief not in client.get(url).content.decode()
    secret = User.objects.get(pk=member.pk).totp_secret
    client.post(url, {"action": "confirm", "code": pyotp.TOTP(secret).now(), "current_password": PASSWORD})
    member.refresh_from_db()
    assert member.has_2fa and member.totp_secret == secret != seen_by_thief


def test_after_staff_turn_2fa_on_the_turn_off_form_starts_empty(client, member):
    """The page answering Turn on showed the recovery codes above a Turn off form holding the code
    just used (the form bound to the POST), as the portal's did."""
    url = reverse("backoffice:account-2fa")
    client.get(url)
    member.refresh_from_db()
    code = pyotp.TOTP(member.totp_secret).now()
    on = client.post(url, {"action": "confirm", "code": code, "current_password": PASSWORD}).content.decode()
    assert 'id="recovery-codes"' in on and 'value="disable"' in on
    turn_off = on.split('value="disable"')[0].rsplit("<form", 1)[1] + on.split('value="disable"')[1].split("</form>")[0]
    assert f'value="{code}"' not in turn_off and "is-invalid" not in turn_off
