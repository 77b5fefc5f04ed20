"""Switches, numbers and the database address from the environment, checked when the settings load: a value
that is not one stops the start with a message naming the variable and what it holds, instead of a
ValueError (or dj_database_url's error) from deep inside the settings module."""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A switch: 1/true/yes/on or 0/false/no/off (any case); empty or unset, the default. Anything
    else stops the start: SECURE_SSL_REDIRECT=ture was read as off, silently."""
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={text!r} is not a switch: use true or false (docs/deploy.md).")
    return text in _TRUE


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={text!r} is not a whole number (docs/deploy.md).") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={text!r} may not be below {minimum} (docs/deploy.md).")
    return value


def env_float(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise ImproperlyConfigured(f"{name}={text!r} is not a positive number of seconds (docs/deploy.md).")
    return value


def database(default: str, **options) -> dict:
    url = os.environ.get("DATABASE_URL") or default
    try:
        return dj_database_url.parse(url, **options)
    except (ValueError, dj_database_url.UnknownSchemeError) as error:
        shown = url.split("@")[-1]  # never the password
        raise ImproperlyConfigured(
            f"DATABASE_URL (…@{shown}) is not a database address such as "
            f"postgres://user:password@host:5432/clientpanel: {error}") from None


# Seconds the throttle's Redis may take to accept a connection or answer a command: unreachable
# (a firewall dropping packets, a host gone), it refuses the sign-in at once with a 503 instead of
# holding the worker until gunicorn's timeout kills it (redis-py waits for ever by default).
REDIS_CACHE_TIMEOUT = 3


def redis_cache(url: str, *, key_prefix: str = "clientpanel") -> dict:
    """The shared cache (the login throttle's counts) on the Redis at `url`."""
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": key_prefix,
            "OPTIONS": {"socket_connect_timeout": REDIS_CACHE_TIMEOUT, "socket_timeout": REDIS_CACHE_TIMEOUT}}
