"""Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
completed a login of an account keeps a cookie signed for that account, and a later login of the
same account presenting it is judged by that device's own count of wrong passwords, not by the
account's (throttle.py). So strangers guessing one account's password from many addresses lock out
only other strangers — browsers without the cookie — never the owner's own.

The cookie is one per account (its name is a keyed hash of the account's id, so a shared browser
keeps the admin's and the agent's apart), holds a random nonce naming the device, and is signed
with the account's id and password hash: it is worthless for another account, and a password
change (or reset) ends every device cookie of the account. It lasts MAX_AGE and is renewed, with
the same nonce, at each login.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from .models import User, normalize_email

COOKIE_PREFIX = "cp_device_"
MAX_AGE = int(dt.timedelta(days=180).total_seconds())
_SALT = "clientpanel.accounts.devices"


def cookie_name(user: User) -> str:
    return COOKIE_PREFIX + salted_hmac(_SALT + ".name", str(user.pk)).hexdigest()[:20]


def _signer(user: User) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}:{user.pk}:{user.get_session_auth_hash()}")


def _nonce(request: Any, user: User) -> str | None:
    value = getattr(request, "COOKIES", {}).get(cookie_name(user))
    if not value:
        return None
    try:
        return _signer(user).unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


def presented(request: Any, email: str) -> str | None:
    """The device (an opaque name, for throttle.py) whose valid cookie for the account with this
    email the request carries; None for no cookie, another account's, a forged or expired one."""
    cookies = getattr(request, "COOKIES", None) or {}
    if not any(name.startswith(COOKIE_PREFIX) for name in cookies):
        return None  # no query for a browser without any device cookie
    user = User.objects.filter(email=normalize_email(email or "")).first()
    return presented_for(request, user) if user is not None else None


def presented_for(request: Any, user: User) -> str | None:
    nonce = _nonce(request, user)
    return f"{user.pk}:{nonce}" if nonce else None


def remember(request: Any, response: Any, user: User) -> None:
    """Give (or renew) the browser this account's device cookie, after a complete login."""
    nonce = _nonce(request, user) or secrets.token_urlsafe(18)
    response.set_cookie(cookie_name(user), _signer(user).sign(nonce), max_age=MAX_AGE, path="/",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
