"""The one way to log in as staff (issue 9): the password step, then the second factor whenever
one is set up. The staff login page uses these; Django's admin sends people to that page; a
future door (the portal) calls the same functions, so every door shares one throttle. Each door
keeps its own count per account (the portal never signs staff in), and a browser that completed a
login of the account is judged by its device cookie's count (devices.py, throttle.py).

The password step answers the same for a wrong password, an unknown email, an inactive account
and a client user (who may not use the staff panel), so the page tells an outsider nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from clientpanel.core.actor import client_ip
from clientpanel.core.errors import DomainError

from . import devices, throttle, two_factor
from .models import User

# In the reader's language when shown (lazy: read when the page is made).
WRONG_CREDENTIALS = _("Please enter a correct email and password. Note that both fields may be case-sensitive.")
EMAIL_UNVERIFIED = _("Confirm your email address first: open the link we sent you. No message? Use \"Forgot your "
                     "password?\" to get a new link.")


class LoginRefused(DomainError):
    code = "login_refused"
    status_code = 401


def _password_check(request: Any, email: str, password: str, *, staff: bool) -> User:
    """The active staff member (staff) or client user (not staff) with this email and password,
    through the login throttle; LoginRefused otherwise. An account of the other kind, or an inactive
    one, is counted like a wrong password and answered like one."""
    ip = client_ip(request) if request is not None else None
    door = throttle.STAFF_DOOR if staff else throttle.PORTAL_DOOR
    device = devices.presented(request, email)
    if throttle.login_blocked(email, ip, door=door, device=device):
        raise LoginRefused(throttle.TOO_MANY_ATTEMPTS, code="throttled")
    # Counts a wrong password, an inactive account and one of the other kind (backends.py).
    user = authenticate(request, email=email, password=password, door=door)
    if user is None or user.is_staff != staff or not user.is_active:
        raise LoginRefused(WRONG_CREDENTIALS, code="invalid_login")
    return user


def staff_password_check(*, request: Any, email: str, password: str) -> User:
    """The staff member with this email and password, or LoginRefused. Not logged in yet: a
    staff member with 2FA still owes a code (two_factor.totp_verify), and login_completed is
    called once the login is whole."""
    return _password_check(request, email, password, staff=True)


def login_completed(*, request: Any, response: Any, user: User) -> None:
    """The password and (when set up) the code were right, and the door signs the user in with
    `response`: forgive the wrong passwords that judged this login (the device's when the browser
    has the account's device cookie, else the account's at this door) and give the browser the
    account's device cookie, so that strangers' wrong passwords do not lock it out later."""
    ip = client_ip(request) if request is not None else None
    # Signed in already (the door logged the user in): a 503 here told a signed-in person that
    # sign-in was unavailable. Only the forgiving fails then (logged): the earlier failures stay.
    with contextlib.suppress(throttle.ThrottleUnavailable):
        throttle.login_succeeded(user.email, door=throttle.door_of(user),
                                 device=devices.presented_for(request, user), ip=ip)
    devices.remember(request, response, user)


def own_password_changed(*, request: Any, response: Any, user: User) -> None:
    """The user changed its own password in this browser, which stays signed in: the change ended
    every device cookie of the account (devices.py signs them with the password hash), so this
    browser, which has just proved the password, gets a new one, as a complete login would give it."""
    devices.remember(request, response, user)


WRONG_CODE = _("That code does not match. Use the current code or a recovery code.")


def code_check(*, user: User, code: str) -> None:
    """A login's second step for a user with 2FA: the code, or LoginRefused (a wrong code) or
    two_factor.TooManyCodes; once it is right the login is whole (the door then signs the user in
    and calls login_completed)."""
    if not two_factor.totp_verify(user=user, code=code):
        raise LoginRefused(WRONG_CODE, code="invalid_code", fields={"code": [str(WRONG_CODE)]})


def client_password_check(*, request: Any, email: str, password: str) -> User:
    """The client user with this email and password, or LoginRefused — the portal's password step,
    through the same throttle and answers as staff's. A staff account is refused here as a wrong
    password: staff and client users are kept apart (and a staff member reaches a client's portal
    only through Login as Owner)."""
    user = _password_check(request, email, password, staff=False)
    if user.self_registered and not user.email_verified:
        # Told only to whoever knows the password; the reset link verifies the address too.
        raise LoginRefused(EMAIL_UNVERIFIED, code="email_unverified")
    return user
