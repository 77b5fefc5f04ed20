"""Login throttling against password guessing: after MAX_FAILURES failed attempts for one email or
from one address within WINDOW seconds, further attempts are refused until the window passes.

Counts live in Django's cache; with several web processes, configure a shared cache (Redis)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW = 15 * 60


def _keys(email: str, ip: str | None) -> list[str]:
    keys = ["login-fail:email:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()]
    if ip:
        # An address gets more room than one account: an office shares one address.
        keys.append("login-fail:ip:" + ip)
    return keys


def _limit(key: str) -> int:
    return MAX_FAILURES * 4 if key.startswith("login-fail:ip:") else MAX_FAILURES


def login_blocked(email: str, ip: str | None) -> bool:
    return any((cache.get(key) or 0) >= _limit(key) for key in _keys(email, ip))


def login_failed(email: str, ip: str | None) -> None:
    for key in _keys(email, ip):
        if cache.add(key, 1, WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW)


def login_succeeded(email: str) -> None:
    cache.delete(_keys(email, None)[0])
