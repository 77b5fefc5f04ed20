"""Throttles against guessing: passwords per address, per account and address, and per device or
else per account at its door (issue 9); second-factor codes per account. And against flooding:
reset links, portal sign-ups, the invitation e-mails a portal user sends.

A failure takes one numbered slot in Django's cache that lives WINDOW seconds (an hour for
invitations); a key is blocked while every one of its slots is alive, so there are never more
than `limit` failures in any WINDOW (a sliding window). Taking a slot is `cache.add`, which is
atomic in the shared caches configured in settings (SET NX in Redis, an INSERT on the primary key
in the database cache), so several web processes count one failure once and never lose one, and a
restart forgets nothing.

Counts in the database cache share the request's database connection: call these outside any
transaction that may roll back, or the failure is rolled back with it.

When the cache does not answer (Redis down or unreachable), nothing it guards goes ahead: a door
that cannot count must not let unlimited guesses through. Every function below then raises
ThrottleUnavailable, logged once as an error naming the cause; the pages answer 503 with its
message (config/middleware.py), never a 500 or a traceback.

A password or code is counted as a failure before it is looked at (login_attempt, code_attempt,
reauth_attempt) and its slots given back when it was right (Attempt.give_back): a cache that reads
but refuses writes (a full Redis with maxmemory-policy noeviction, a read-only replica) refuses
every guess with the 503 before anything is told, instead of refusing the wrong ones (which cannot
be counted) and letting the right one through — a yes/no answer with nothing counted.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from django.core.cache import cache
from django.utils.translation import gettext_lazy
from redis import exceptions as redis_errors
from redis.exceptions import RedisError

from clientpanel.core.actor import Actor

from .models import normalize_email

WINDOW = 15 * 60
# What a blocked login or password check says, in the reader's language when shown.
TOO_MANY_ATTEMPTS = gettext_lazy("Too many failed attempts. Wait 15 minutes and try again.")
MAX_FAILURES = 5  # per account at a door, device or address (passwords) and per account (2FA codes)
MAX_FAILURES_PER_ADDRESS = MAX_FAILURES * 4  # an office shares one address

logger = logging.getLogger(__name__)

# What a page says when the cache does not answer, in the reader's language when shown.
UNAVAILABLE_TITLE = gettext_lazy("Unavailable for a moment")
SIGN_IN_UNAVAILABLE = gettext_lazy("Sign-in is unavailable for a moment. Please try again shortly.")
ACTION_UNAVAILABLE = gettext_lazy("This is unavailable for a moment. Please try again shortly.")


# What a Redis that cannot serve now raises — down, silent, full (OOM), a read-only replica, loading —
# as against a fault of ours (a wrong command or type): the pages and the API answer these with 503.
REDIS_UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.OutOfMemoryError,
                     redis_errors.ReadOnlyError, redis_errors.TryAgainError, redis_errors.ClusterDownError)


class ThrottleUnavailable(Exception):
    """The cache keeping the counts did not answer, so the request was refused (fail closed).
    `message`: what to tell the person; the cause is chained (__cause__) and logged already."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def _refused_without_cache(message):
    """Turn the cache's failure inside the decorated function into ThrottleUnavailable(message),
    logged once here as one error line with its cause (no traceback: the cause says it all)."""
    def decorate(function):
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except RedisError as error:
                logger.error("Refused (throttle.%s): the throttle's cache did not answer: %s: %s",
                             function.__name__, type(error).__name__, error)
                raise ThrottleUnavailable(message) from error
        return guarded
    return decorate


_sign_in = _refused_without_cache(SIGN_IN_UNAVAILABLE)
_action = _refused_without_cache(ACTION_UNAVAILABLE)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _slots(key: str, limit: int) -> list[str]:
    return [f"throttle:{key}:{n}" for n in range(1, limit + 1)]


def _blocked(key: str, limit: int) -> bool:
    return len(cache.get_many(_slots(key, limit))) >= limit


def _failed(key: str, limit: int, window: int = WINDOW) -> str | None:
    """Take a free slot of `key`; answers the slot taken (None when every one is alive)."""
    slots = _slots(key, limit)
    taken = cache.get_many(slots)
    for slot in slots:
        # Another process may take a free slot between the read and the add; then try the next.
        if slot not in taken and cache.add(slot, 1, window):
            return slot
    return None


def _forget(key: str, limit: int) -> None:
    cache.delete_many(_slots(key, limit))


def _give_back(slots: list[str]) -> None:
    cache.delete_many(slots)  # DEL: a full Redis (noeviction) still accepts it


class Attempt:
    """A password or code about to be checked, counted already as a failure (its slots taken)."""

    def __init__(self, slots: list[str], give_back) -> None:
        self._slots, self._give_back = slots, give_back

    def give_back(self) -> None:
        """It was right (or never made), so no failure: its slots are given back, not the earlier
        failures'."""
        if self._slots:
            self._give_back(self._slots)


def _attempt(judged: list[tuple[str, int]], counted: list[tuple[str, int]], give_back,
             window: int = WINDOW) -> Attempt | None:
    """None when a key of `judged` is blocked; else an Attempt holding a slot of each key of `counted`."""
    if any(_blocked(key, limit) for key, limit in judged):
        return None
    return Attempt([slot for key, limit in counted if (slot := _failed(key, limit, window))], give_back)


_give_back_sign_in = _sign_in(_give_back)
_give_back_action = _action(_give_back)


def _email_digest(email: str) -> str:
    """An address counted as the account it reaches (normalize_email: case, full-width letters, an
    IDN domain), so each look-alike form of one address is not a fresh count of its own."""
    return _digest(normalize_email(email or ""))


# The doors a password is typed at. Each signs in one kind of account only (the portal never signs
# staff in, the staff login never a client user), so an account's count is kept per door: wrong
# passwords for the admin typed at the portal do not block the admin's staff login.
STAFF_DOOR = "staff"
PORTAL_DOOR = "portal"


def door_of(user) -> str:
    """The one door this account signs in at."""
    return STAFF_DOOR if user.is_staff else PORTAL_DOOR


def _address_keys(email: str, ip: str | None, door: str) -> list[tuple[str, int]]:
    if not ip:
        return []
    return [("login-ip:" + _digest(ip), MAX_FAILURES_PER_ADDRESS),
            (f"login-account-ip:{door}:{_email_digest(email)}:{_digest(ip)}", MAX_FAILURES)]


def _login_keys(email: str, ip: str | None, door: str, device: str | None) -> list[tuple[str, int]]:
    """The counts that judge a password typed at `door`: the address's (every account, every door),
    the account's from that address, and then either the device's — a login presenting the
    account's device cookie (devices.py) is judged by its own count — or, without one, the
    account's at that door (OWASP's device cookies: a distributed guess is slowed, its owner not
    locked out)."""
    keys = _address_keys(email, ip, door)
    if device:
        keys.append(("login-device:" + _digest(device), MAX_FAILURES))
    else:
        keys.append((f"login-email:{door}:{_email_digest(email)}", MAX_FAILURES))
    return keys


@_sign_in
def login_blocked(email: str, ip: str | None, *, door: str = STAFF_DOOR, device: str | None = None) -> bool:
    """Too many wrong passwords in the last WINDOW from this address, or for this account from this
    address, or from this device (`device`: devices.presented) — or, without a device, for this
    account at this door."""
    return any(_blocked(key, limit) for key, limit in _login_keys(email, ip, door, device))


@_sign_in
def login_attempt(email: str, ip: str | None, *, door: str = STAFF_DOOR, device: str | None = None) -> Attempt | None:
    """The password about to be checked, counted already as a wrong one (login_failed): call
    .give_back() when it is right. None (not checked) when login_blocked."""
    keys = _login_keys(email, ip, door, device)
    return _attempt(keys, keys, _give_back_sign_in)


@_sign_in
def login_failed(email: str, ip: str | None, *, door: str = STAFF_DOOR, device: str | None = None) -> None:
    for key, limit in _login_keys(email, ip, door, device):
        _failed(key, limit)


@_sign_in
def login_succeeded(email: str, *, door: str = STAFF_DOOR, device: str | None = None, ip: str | None = None) -> None:
    """A complete login (with its second factor) forgives the count that judged it — the device's,
    else the account's at this door — and the account's from this address; never the address's.
    A login on a device cookie forgives nobody else's guesses: an owner signing in daily does not
    give an attacker five fresh tries each time."""
    for key, limit in _login_keys(email, ip, door, device):
        if not key.startswith("login-ip:"):
            _forget(key, limit)


def _reauth_key(user) -> str:
    return f"reauth-user:{user.pk}"


@_action
def reauth_attempt(user, ip: str | None) -> Attempt | None:
    """A signed-in user's present password about to be checked again (reauth.py), counted already
    as a wrong one: call .give_back() when it is right. None (not checked) after MAX_FAILURES wrong
    ones by this user's sessions, or while the address or the account from this address is blocked.
    Wrong passwords typed at a login door by someone else do not block it: only a session of the
    account takes this count. A wrong one counts towards its login's block too (the account at its
    door, and from this address): a borrowed session guesses no faster here."""
    door = door_of(user)
    judged = [(_reauth_key(user), MAX_FAILURES), *_address_keys(user.email, ip, door)]
    counted = [(_reauth_key(user), MAX_FAILURES), *_login_keys(user.email, ip, door, None)]
    return _attempt(judged, counted, _give_back_action)


def _code_key(user_id: object) -> str:
    return f"totp-user:{user_id}"


@_sign_in
def code_attempt(user_id: object) -> Attempt | None:
    """A second-factor code about to be checked, counted already as a wrong one: call .give_back()
    when it is right. None (not checked) after MAX_FAILURES wrong codes for this account in the
    last WINDOW. Nothing resets this count early: not a right password, not a right code, not a
    new login."""
    keys = [(_code_key(user_id), MAX_FAILURES)]
    return _attempt(keys, keys, _give_back_sign_in)


MAX_RESET_REQUESTS = 3  # per email address in WINDOW: enough for a lost message, too few to flood an inbox


@_sign_in
def password_reset_allowed(email: str, ip: str | None) -> bool:
    """Whether another reset link may go to this address now; counts the request when it may.
    Refused requests are answered like the others, so nobody learns which addresses exist."""
    keys = [("reset-email:" + _email_digest(email), MAX_RESET_REQUESTS)]
    if ip:
        keys.append(("reset-ip:" + _digest(ip), MAX_FAILURES_PER_ADDRESS))
    if any(_blocked(key, limit) for key, limit in keys):
        return False
    for key, limit in keys:
        _failed(key, limit)
    return True


MAX_SIGNUPS_PER_ADDRESS = 10  # portal sign-up attempts from one address in WINDOW: an office with typos, not a bot


@_sign_in
def signup_allowed(ip: str | None) -> bool:
    """Whether one more portal sign-up may come from this address now; counts it when it may."""
    key = "signup-ip:" + _digest(ip or "unknown")
    if _blocked(key, MAX_SIGNUPS_PER_ADDRESS):
        return False
    _failed(key, MAX_SIGNUPS_PER_ADDRESS)
    return True


MAX_INVITATIONS_PER_HOUR = 20  # invitation e-mails one person sends in the portal: a team's worth, too few to spam
INVITATION_WINDOW = 60 * 60


def inviter(actor: Actor) -> object:
    """Whose count a portal invitation takes: the person acting — the staff member during Login as
    Owner (one count of their own, across every client they act for), else the portal user. So
    staff's invitations never use up the owner's hour, nor the owner's block staff."""
    return actor.impersonator_id if actor.impersonator is not None else actor.user_id


def _invitation_key(user_id: object) -> str:
    return f"invite-user:{user_id}"  # staff and client users share one table: one id, one person


@_action
def invitation_blocked(user_id: object) -> bool:
    """Whether this person (inviter()) sent MAX_INVITATIONS_PER_HOUR invitation e-mails in the last hour."""
    return _blocked(_invitation_key(user_id), MAX_INVITATIONS_PER_HOUR)


@_action
def invitation_sent(user_id: object) -> None:
    """Count one invitation e-mail of this person (inviter())."""
    _failed(_invitation_key(user_id), MAX_INVITATIONS_PER_HOUR, INVITATION_WINDOW)


@_action
def invitation_attempt(user_id: object) -> Attempt | None:
    """One invitation e-mail of this person (inviter()) about to be saved, counted already — before
    anything is written, so a cache that cannot count refuses it with nothing done, never after the
    commit: call .give_back() when it is refused (a refused invitation sends nothing and costs
    nothing). None (not saved) when invitation_blocked."""
    keys = [(_invitation_key(user_id), MAX_INVITATIONS_PER_HOUR)]
    return _attempt(keys, keys, _give_back_action, INVITATION_WINDOW)
