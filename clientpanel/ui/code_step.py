"""The second step of a login with two-factor authentication, for the staff panel and the portal
alike: the password was right, so the session remembers who — for CODE_STEP_LIMIT only — until the
code is given. A half-finished login left in a browser does not wait for a code for ever."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from clientpanel.accounts.models import User

CODE_STEP_LIMIT = dt.timedelta(minutes=5)


def await_code(request: HttpRequest, key: str, user: User, next_url: str) -> None:
    """Remember, under the session key, whose code the second step asks for and where to go after."""
    request.session[key] = [str(user.pk), next_url, timezone.now().isoformat()]


def awaiting_code(request: HttpRequest, key: str, *, staff: bool) -> tuple[User | None, str]:
    """The active staff member (staff=True) or client user whose code the second step asks for —
    None when there is none or its time has passed — and where to go after it."""
    try:
        user_id, next_url, since = request.session.get(key) or ("", "", "")
        expired = timezone.now() - dt.datetime.fromisoformat(since) > CODE_STEP_LIMIT
    except (TypeError, ValueError):
        return None, ""
    user = None if expired else User.objects.filter(pk=user_id, is_active=True, is_staff=staff).first()
    return user, next_url
