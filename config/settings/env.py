"""Switches, numbers and the database address from the environment, checked when the settings load: a value
that is not one stops the start with a message naming the variable and what it holds, instead of a
ValueError (or dj_database_url's error) from deep inside the settings module."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from babel.numbers import list_currencies
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


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _one_of(name: str, default: list[str], known, what: str, accepted: str) -> list[str]:
    items = env_list(name, default)
    text = os.environ.get(name, "")
    if not items:
        raise ImproperlyConfigured(f"{name}={text!r} names none: use {accepted} (docs/deploy.md).")
    for item in items:
        if item not in known:
            raise ImproperlyConfigured(f"{name}={text!r} names {item!r}, which is not {what}: use {accepted} "
                                       "(docs/deploy.md).")
    return list(dict.fromkeys(items))


def env_currencies(name: str, default: list[str]) -> list[str]:
    """ISO 4217 codes, as Babel (which gives each its minor unit) knows them: "EURO" or "usd" stopped
    nothing here and broke prices and documents in that currency later."""
    return _one_of(name, default, list_currencies(), "an ISO 4217 currency code",
                   "three-letter codes in capitals, comma-separated, such as USD,EUR,PLN")


def env_languages(name: str, default: list[str], shipped: list[str]) -> list[str]:
    """Some of the languages Clientpanel ships (LANGUAGES): a client's e-mails and documents are
    written in them, and one without its translations and e-mail templates cannot be."""
    return _one_of(name, default, shipped, "a language Clientpanel ships", "some of " + ",".join(shipped))


def env_choice(name: str, default: str, allowed: list[str], list_name: str) -> str:
    """One of an enabled list (the default currency among CLIENTPANEL_CURRENCIES...): a default
    outside it made every new client's form refuse its own preset value. Unset, `default` when the
    list has it, else the list's first."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default if default in allowed else allowed[0]
    if text not in allowed:
        raise ImproperlyConfigured(f"{name}={text!r} is not in {list_name} ({','.join(allowed)}): use one of them "
                                   "(docs/deploy.md).")
    return text


def env_country(name: str, default: str) -> str:
    """An ISO 3166-1 alpha-2 code in capitals ("PL"): new clients' country."""
    import pycountry  # only here: the settings' other checks need none of it

    text = os.environ.get(name, "").strip() or default
    if len(text) != 2 or not text.isupper() or pycountry.countries.get(alpha_2=text) is None:
        raise ImproperlyConfigured(f"{name}={text!r} is not an ISO 3166-1 country code: use two capital letters, "
                                   "such as US or PL (docs/deploy.md).")
    return text


# How a TrueType font file begins (sfnt version 1.0, Apple's "true", a collection's "ttcf"): what
# reportlab embeds. "OTTO" (OpenType with PostScript outlines) it refuses when the first PDF is made.
_TRUETYPE = (b"\x00\x01\x00\x00", b"true", b"ttcf")


def env_file(name: str) -> str:
    """The path of a readable TrueType font file, or "" when unset: a font that is not there was
    silently replaced by one without Polish letters, and a file that is no font (/etc/passwd) broke
    every PDF."""
    text = os.environ.get(name, "").strip()
    use = "name a TrueType font file (.ttf), or leave it empty for DejaVu Sans (docs/deploy.md)."
    if text and not (Path(text).is_file() and os.access(text, os.R_OK)):
        raise ImproperlyConfigured(f"{name}={text!r} is not a readable file: {use}")
    if text:
        with open(text, "rb") as font:
            start = font.read(4)
        if start == b"OTTO":
            raise ImproperlyConfigured(f"{name}={text!r} is an OpenType font with PostScript outlines, which PDFs "
                                       f"cannot embed: {use}")
        if start not in _TRUETYPE:
            raise ImproperlyConfigured(f"{name}={text!r} is not a TrueType font file: {use}")
    return text


def _url_valid(text: str) -> bool:
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError: a port that is not a number, or out of range
    except ValueError:
        return False
    host = parts.hostname or ""
    # A host of letters, digits, hyphens and dots (an IDN's letters too), or an IP address in brackets:
    # "panel example.com" made links no mail program opens; a port of 0 is none.
    return (parts.scheme in {"http", "https"} and not parts.query and not parts.fragment
            and not any(character.isspace() for character in text) and port != 0
            and (re.fullmatch(r"[^\W_]([\w-]*[^\W_])?(\.[^\W_]([\w-]*[^\W_])?)*\.?", host) is not None
                 or ("[" in parts.netloc and _ipv6(host))))


def _ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def env_url(name: str, default: str) -> str:
    """An http:// or https:// address with a host: without a scheme, every link in the e-mails was
    relative ("panel.example.com/portal/…"), which no mail program opens. No user or password in it
    (each e-mailed link would carry them): said without echoing the value."""
    text = os.environ.get(name, "").strip() or default
    if "@" in text.partition("//")[2].partition("/")[0]:
        raise ImproperlyConfigured(f"{name} (…@{text.split('@')[-1]}) names a user and password: use the public "
                                   "address alone, such as https://panel.example.com (docs/deploy.md).")
    if not _url_valid(text):
        raise ImproperlyConfigured(f"{name}={text!r} is not an http:// or https:// address: use the public "
                                   "address, such as https://panel.example.com (docs/deploy.md).")
    return text


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
