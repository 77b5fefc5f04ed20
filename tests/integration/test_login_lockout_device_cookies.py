"""Nobody can lock an account's owner out by typing wrong passwords for it (OWASP's device cookies,
accounts/devices.py and throttle.py). An auditor kept the superuser out of the staff panel for ever
with five wrong portal logins every 15 minutes, each from another address.

- Each door keeps its own count per account: the portal never signs staff in, the staff login
  never a client user, so wrong passwords at one do not block the other.
- A browser that completed a login of the account keeps a device cookie for it; with that cookie
  a login is judged by the device's own count, not the account's, so strangers' guesses from many
  addresses do not lock the owner's browser out.
- A browser without it — a stranger's, or the owner's new one — is still blocked after
  MAX_FAILURES wrong passwords for the account at that door, from any addresses.
- A cookie of another account, forged, or from before a password change is no device cookie.
"""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import devices, sudo, throttle
from clientpanel.accounts.models import User
from clientpanel.accounts.reauth import present_password_require
from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
CLIENT_PASSWORD = "a-long-passphrase-42"
PROXY = "127.0.0.1"  # requests come through the trusted proxy, which appends the visitor's address
BLOCKED = "Too many failed attempts"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(db):
    user = staff_create(email="admin@clientpanel.example", password=PASSWORD, roles=["Administrator"])
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def agent(db):
    return staff_create(email="agent@clientpanel.example", password=PASSWORD, roles=["Support"])


def _browser(address: str) -> Browser:
    return Browser(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def _from(browser: Browser, address: str) -> Browser:
    """The same browser (its cookies) on another network."""
    browser.defaults["HTTP_X_FORWARDED_FOR"] = address
    return browser


def _staff_login(browser: Browser, email: str, password: str = PASSWORD):
    return browser.post(reverse("backoffice:login"), {"username": email, "password": password})


def _portal_login(browser: Browser, email: str, password: str):
    return browser.post(reverse("portal:login"), {"email": email, "password": password})


def _signed_in_staff(browser: Browser) -> bool:
    return browser.get(reverse("backoffice:dashboard")).status_code == 200


def _guess_at_staff_door(email: str, times: int = throttle.MAX_FAILURES, subnet: str = "198.51.100") -> None:
    for n in range(times):
        page = _staff_login(_browser(f"{subnet}.{n + 1}"), email, "wrong-guess")
        assert page.status_code == 200


def _device_browser(email: str, address: str = "192.0.2.10") -> Browser:
    """A browser that logged in once (so keeps the account's device cookie), then logged out."""
    browser = _browser(address)
    assert _staff_login(browser, email).status_code == 302
    browser.post(reverse("backoffice:logout"))
    assert not _signed_in_staff(browser)
    return browser


# --- the auditor's reproduction ---------------------------------------------------------------

def test_wrong_portal_passwords_for_the_admin_do_not_block_the_admin_at_the_staff_login(admin):
    for n in range(throttle.MAX_FAILURES):
        _portal_login(_browser(f"203.0.113.{n + 1}"), admin.email, "wrong-guess")
    assert BLOCKED in _portal_login(_browser("203.0.113.9"), admin.email, PASSWORD).content.decode()
    # A new address, no device cookie: the staff door kept its own count, and nothing is on it.
    browser = _browser("192.0.2.77")
    assert _staff_login(browser, admin.email).status_code == 302
    assert _signed_in_staff(browser)


def test_wrong_staff_passwords_for_a_client_user_do_not_block_its_portal_sign_in(make_client):
    owner = make_client(password=CLIENT_PASSWORD).owner
    _guess_at_staff_door(owner.email)
    assert _portal_login(_browser("192.0.2.78"), owner.email, CLIENT_PASSWORD).status_code == 302


def test_the_owners_browser_signs_in_while_strangers_are_locked_out(admin):
    mine = _device_browser(admin.email)
    _guess_at_staff_door(admin.email)
    # A browser without the cookie — even with the right password, from a new address — is refused…
    assert BLOCKED in _staff_login(_browser("203.0.113.200"), admin.email).content.decode()
    # …the owner's, from yet another address, is not; and the strangers' count is not forgiven.
    assert _staff_login(_from(mine, "192.0.2.11"), admin.email).status_code == 302
    assert _signed_in_staff(mine)
    assert BLOCKED in _staff_login(_browser("203.0.113.201"), admin.email).content.decode()


def test_a_device_cookie_browser_is_judged_by_its_own_wrong_passwords(admin):
    mine = _device_browser(admin.email)
    for n in range(throttle.MAX_FAILURES):
        assert _staff_login(_from(mine, f"192.0.2.{20 + n}"), admin.email, "typo").status_code == 200
    assert BLOCKED in _staff_login(_from(mine, "192.0.2.30"), admin.email).content.decode()


def test_guessing_from_one_address_is_still_blocked_per_account_and_address(admin):
    for _ in range(throttle.MAX_FAILURES):
        _staff_login(_browser("203.0.113.50"), admin.email, "wrong-guess")
    assert BLOCKED in _staff_login(_browser("203.0.113.50"), admin.email).content.decode()


# --- a cookie that is not this account's device cookie ----------------------------------------

def test_another_accounts_cookie_forged_or_renamed_does_not_help(admin, agent):
    agents = _device_browser(agent.email)
    agent_cookie = agents.cookies[devices.cookie_name(agent)].value
    _guess_at_staff_door(admin.email)
    admins_name = devices.cookie_name(admin)
    for name, value in ((devices.cookie_name(agent), agent_cookie),  # the agent's own, as it is
                        (admins_name, agent_cookie),  # the agent's, under the admin's name
                        (admins_name, "forged-nonce:1abcde:2Zx")):  # made up
        thief = _browser("203.0.113.99")
        thief.cookies[name] = value
        assert BLOCKED in _staff_login(thief, admin.email).content.decode(), name


def test_a_password_change_ends_the_old_device_cookies(admin):
    mine = _device_browser(admin.email)
    admin = User.objects.get(pk=admin.pk)
    admin.set_password("a-new-long-password-77")
    admin.save(update_fields=["password"])
    _guess_at_staff_door(admin.email)
    page = _staff_login(_from(mine, "192.0.2.12"), admin.email, "a-new-long-password-77")
    assert BLOCKED in page.content.decode()


def test_the_browser_that_changed_its_own_staff_password_keeps_a_device_cookie(admin):
    mine = _browser("192.0.2.13")
    assert _staff_login(mine, admin.email).status_code == 302
    changed = mine.post(reverse("backoffice:account-password"), {
        "current_password": PASSWORD, "password": "a-new-long-password-77", "password_again": "a-new-long-password-77"})
    assert changed.status_code == 302
    mine.post(reverse("backoffice:logout"))
    _guess_at_staff_door(admin.email)
    # The old cookie ended with the old password; this browser was given one under the new.
    assert _staff_login(_from(mine, "192.0.2.14"), admin.email, "a-new-long-password-77").status_code == 302
    assert BLOCKED in _staff_login(_browser("203.0.113.202"), admin.email, "a-new-long-password-77").content.decode()


def test_the_browser_that_changed_its_own_portal_password_keeps_a_device_cookie(make_client):
    owner = make_client(password=CLIENT_PASSWORD).owner
    mine = _browser("192.0.2.15")
    assert _portal_login(mine, owner.email, CLIENT_PASSWORD).status_code == 302
    changed = mine.post(reverse("portal:account"), {
        "action": "password", "current_password": CLIENT_PASSWORD, "password": "another-passphrase-43",
        "password_again": "another-passphrase-43"})
    assert changed.status_code == 302
    mine.post(reverse("portal:logout"))
    for n in range(throttle.MAX_FAILURES):
        _portal_login(_browser(f"198.51.100.{n + 1}"), owner.email, "wrong-guess")
    assert _portal_login(_from(mine, "192.0.2.16"), owner.email, "another-passphrase-43").status_code == 302
    assert BLOCKED in _portal_login(_browser("203.0.113.203"), owner.email, "another-passphrase-43").content.decode()


# --- the second factor and the sudo step ------------------------------------------------------

def test_with_2fa_the_cookie_is_given_after_the_code_and_opens_the_login_during_an_attack(admin):
    totp_begin(user=admin)
    recovery = totp_confirm(user=admin, code=pyotp.TOTP(admin.totp_secret).now(), password=PASSWORD)
    admin.refresh_from_db()

    browser = _browser("192.0.2.40")
    assert _staff_login(browser, admin.email).status_code == 302
    assert devices.cookie_name(admin) not in browser.cookies  # the password alone earns no cookie
    code = pyotp.TOTP(admin.totp_secret).at(time.time() + 30)
    assert browser.post(reverse("backoffice:login-verify"), {"code": code}).status_code == 302
    assert devices.cookie_name(admin) in browser.cookies
    browser.post(reverse("backoffice:logout"))
    _guess_at_staff_door(admin.email)
    assert _staff_login(_from(browser, "192.0.2.41"), admin.email).status_code == 302
    # The code is still asked for; wrong codes are still counted per account.
    assert browser.post(reverse("backoffice:login-verify"), {"code": code}).status_code == 200  # spent
    assert browser.post(reverse("backoffice:login-verify"), {"code": recovery[0]}).status_code == 302
    assert _signed_in_staff(browser)


def test_strangers_wrong_passwords_do_not_stop_the_signed_in_admins_sudo_step(admin):
    _guess_at_staff_door(admin.email)
    present_password_require(admin, PASSWORD, ip="192.0.2.50")  # no ValidationFailed
    browser = _browser("192.0.2.50")
    browser.force_login(admin)
    session = browser.session
    sudo.sudo_end(session)
    session.save()
    url = reverse("backoffice:api-token-list")
    step = browser.post(url, {"sudo_password": PASSWORD, "sudo_resume": "open"})
    assert step.status_code == 302 and step["Location"] == url


def test_a_signed_in_sessions_own_wrong_passwords_still_block_the_step_and_new_browsers(admin):
    for n in range(throttle.MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            present_password_require(admin, "guess", ip=f"192.0.2.{60 + n}")
    with pytest.raises(ValidationFailed, match=BLOCKED):
        present_password_require(admin, PASSWORD, ip="192.0.2.70")
    assert BLOCKED in _staff_login(_browser("192.0.2.71"), admin.email).content.decode()
