"""Sudo mode: the most dangerous staff actions (another person's second factor reset, an API token
issued, a staff member's roles, areas or client scope changed, gateway keys changed) need the staff
member to have proved its password within the last STAFF_SUDO_MINUTES, in this session — as GitHub
asks before "sudo" actions. A stolen session cookie or an unattended desk then cannot do them.

The proof is a timestamp in the session, kept with the user it was proved for (a session that
changes hands is a new login anyway, and a login proves the password: it grants the window too).
The password is checked through reauth.py, so wrong guesses here count towards the login's block.
A session is a mapping here: the domain knows no HTTP request."""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import User
from .reauth import present_password_require

SESSION_KEY = "sudo_proved"


def sudo_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.STAFF_SUDO_MINUTES)


def sudo_active(session: MutableMapping[str, Any], *, user: User) -> bool:
    """Whether user proved its password in this session within the window (and not in the future:
    a clock set back does not stretch it)."""
    proof = session.get(SESSION_KEY)
    if not isinstance(proof, dict) or proof.get("user") != str(user.pk):
        return False
    try:
        proved_at = dt.datetime.fromtimestamp(float(proof["at"]), tz=dt.UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return False
    now = timezone.now()
    return proved_at <= now < proved_at + sudo_window()


def sudo_grant(session: MutableMapping[str, Any], *, user: User) -> None:
    """Start the window now (after a login, or a password proved through sudo_confirm)."""
    session[SESSION_KEY] = {"user": str(user.pk), "at": timezone.now().timestamp()}


def sudo_confirm(session: MutableMapping[str, Any], *, user: User, password: object, ip: str | None = None) -> None:
    """Start the window if password is user's present one; otherwise raise ValidationFailed on
    `current_password` (a wrong one counted by the login throttle; a blocked user refused even with
    the right one)."""
    present_password_require(user, password, ip=ip)
    sudo_grant(session, user=user)


def sudo_end(session: MutableMapping[str, Any]) -> None:
    session.pop(SESSION_KEY, None)


def sudo_after_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: a staff member who just logged in proved its password (and its code, with
    2FA) this moment, so its window starts (as GitHub's does)."""
    if getattr(user, "is_staff", False) and request is not None and hasattr(request, "session"):
        sudo_grant(request.session, user=user)
