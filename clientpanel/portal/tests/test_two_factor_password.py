"""Turning portal 2FA on or off asks for the present password (security audit of 2026-11-25): a
stolen session cannot put the thief's phone on the account, nor take the owner's off. A wrong
password changes nothing and spends no code; wrong guesses are throttled as sign-in's are, and
count towards the login's block."""

import time

import pyotp
import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import two_factor as totp
from clientpanel.accounts.models import User
from clientpanel.accounts.throttle import MAX_FAILURES
from clientpanel.audit.models import AuditEvent
from clientpanel.core.errors import ValidationFailed

from .conftest import PASSWORD
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

URL = "/portal/account/2fa/"
WRONG = "This is not your present password."


def _code(user: User, steps_ahead: int = 0) -> str:
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * steps_ahead)


def _two_factor_state(user_id):
    user = User.objects.get(pk=user_id)
    return user.totp_secret, user.totp_confirmed_at, list(user.recovery_codes), user.totp_last_step


def _signed_in_with_2fa(owner: User) -> tuple[Browser, list[str]]:
    """Signed in through both steps; the recovery codes (the TOTP codes of now are spent by then)."""
    totp.totp_begin(user=owner)
    recovery = totp.totp_confirm(user=owner, code=_code(owner), password=PASSWORD)
    browser = Browser()
    browser.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert browser.post(reverse("portal:login-code"), {"code": _code(owner, 1)}).status_code == 302
    return browser, recovery


def test_turning_2fa_on_with_a_wrong_password_changes_nothing(world):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    page = browser.get(URL).content.decode()
    assert 'name="current_password"' in page and 'autocomplete="current-password"' in page
    before = _two_factor_state(owner.pk)
    for password in ("not-my-password", ""):
        refused = browser.post(URL, {"action": "confirm", "code": _code(owner), "current_password": password})
        text = refused.content.decode()
        assert refused.status_code == 200 and 'id="recovery-codes"' not in text and "is-invalid" in text
        assert "not-my-password" not in text  # a password is never sent back
    assert WRONG in browser.post(URL, {"action": "confirm", "code": _code(owner),
                                       "current_password": "not-my-password"}).content.decode()
    assert _two_factor_state(owner.pk) == before
    assert not User.objects.get(pk=owner.pk).has_2fa
    assert not AuditEvent.objects.filter(action="user.2fa_on").exists()
    # The same code with the right password turns it on: the refusal spent nothing.
    on = browser.post(URL, {"action": "confirm", "code": _code(owner), "current_password": PASSWORD})
    assert 'id="recovery-codes"' in on.content.decode() and User.objects.get(pk=owner.pk).has_2fa


def test_turning_2fa_off_with_a_wrong_password_changes_nothing_and_spends_no_code(world):
    owner = world["mine"].owner
    browser, recovery = _signed_in_with_2fa(owner)
    before = _two_factor_state(owner.pk)
    code = recovery[0]
    refused = browser.post(URL, {"action": "disable", "code": code, "current_password": "a-thiefs-guess"})
    assert WRONG in refused.content.decode()
    assert _two_factor_state(owner.pk) == before  # still on, the code unspent
    assert not AuditEvent.objects.filter(action="user.2fa_off").exists()
    off = browser.post(URL, {"action": "disable", "code": code, "current_password": PASSWORD})
    assert off.status_code == 302 and not User.objects.get(pk=owner.pk).has_2fa


def test_wrong_passwords_on_the_2fa_page_are_throttled_like_sign_in(world):
    owner = world["mine"].owner
    browser, recovery = _signed_in_with_2fa(owner)
    before = _two_factor_state(owner.pk)
    for n in range(MAX_FAILURES):
        assert WRONG in browser.post(URL, {"action": "disable", "code": recovery[0],
                                           "current_password": f"guess-{n}"}).content.decode()
    # Now even the right password is refused, and nothing changes (not even the code is spent)...
    blocked = browser.post(URL, {"action": "disable", "code": recovery[0], "current_password": PASSWORD})
    assert "Too many failed attempts" in blocked.content.decode()
    assert _two_factor_state(owner.pk) == before
    # ...and the guesses counted for the login page too: one door, one throttle.
    login = Browser().post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert "Too many failed attempts" in login.content.decode()


def test_the_services_refuse_a_wrong_password_on_the_field(world):
    owner = world["mine"].owner
    totp.totp_begin(user=owner)
    with pytest.raises(ValidationFailed) as refused:
        totp.totp_confirm(user=owner, code=_code(owner), password="wrong")
    assert refused.value.fields == {"current_password": [WRONG]}
    assert not User.objects.get(pk=owner.pk).has_2fa
    totp.totp_confirm(user=owner, code=_code(owner), password=PASSWORD)
    with pytest.raises(ValidationFailed):
        totp.totp_disable(user=owner, code=_code(owner, 1), password=None)
    assert User.objects.get(pk=owner.pk).has_2fa


def test_a_secret_shown_to_another_session_is_not_the_one_the_owner_confirms(world):
    """A borrowed session that opens the 2FA page while the owner enrols sees a secret that the
    owner's next look at the page replaces: the secret confirmed was shown to the owner alone."""
    owner = world["mine"].owner
    thief, own = _signed_in(owner.email), _signed_in(owner.email)
    own.get(URL)
    thief.get(URL)
    seen_by_thief = User.objects.get(pk=owner.pk).totp_secret
    page = own.get(URL).content.decode()
    assert seen_by_thief not in page
    confirmed = own.post(URL, {"action": "confirm", "code": _code(owner), "current_password": PASSWORD})
    assert 'id="recovery-codes"' in confirmed.content.decode()
    owner.refresh_from_db()
    assert owner.has_2fa and owner.totp_secret != seen_by_thief
