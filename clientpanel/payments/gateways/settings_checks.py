"""The checks every gateway's settings pass before they are kept (gateway_accounts.py): only the
settings the gateway reads (Gateway.settings_names), and never a secret — secrets live in the
server's environment, and the settings only name the variable (docs/decisions.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

# What issued secrets look like: Stripe's keys and signing secrets, and a private key in PEM.
SECRET_VALUE = re.compile(r"(sk|rk)_(test|live)_|whsec_|-----BEGIN [A-Z ]*PRIVATE KEY", re.IGNORECASE)
# A setting whose name says it holds a secret; one ending in "_env" names the variable holding it.
SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|secret|token|api_?key|private_?key|credential", re.IGNORECASE)


def secret_looking(value: Any) -> bool:
    """Whether a setting, or anything nested in it, looks like a secret: a value shaped like an
    issued key, or a setting named for one (password, secret, token…) that is not a variable's name."""
    if isinstance(value, str):
        return bool(SECRET_VALUE.search(value))
    if isinstance(value, Mapping):
        return any(secret_looking(k) or secret_looking(v) or _secret_name(k) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(secret_looking(v) for v in value)
    return False


# A key as typed in text that may not parse (a typo is the commonest refusal): quoted either way or
# bare, before a colon or an equals sign ({'api_key': …}, {api_key: …}, api_key=…).
_TYPED_KEY = re.compile(r"""(["']?)([A-Za-z_][\w-]*)\1\s*[:=]""")


def shown_again(text: str | None) -> str | None:
    """Settings as typed, to show back on a refused form — or None when they hold a secret (it is not
    stored, and not put back on a page either: the page may be cached, printed or screenshotted); an
    edit form then shows the settings stored. Text that does not parse is judged by its values'
    shapes and its keys' names: a name ending in _env names a variable, and is kept."""
    if not text:
        return text
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's limit
        holds_secret = bool(SECRET_VALUE.search(text)) or any(
            _secret_name(key) for _quote, key in _TYPED_KEY.findall(text))
    else:
        holds_secret = secret_looking(parsed)
    return None if holds_secret else text


def _secret_name(name: Any) -> bool:
    return isinstance(name, str) and bool(SECRET_NAME.search(name)) and not name.lower().endswith("_env")


def settings_problems(gateway: Any, settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of a home company's settings for a gateway, by setting ({} when fine): a secret
    refuses them whole ("settings"); a setting the gateway does not read is named; the ones it reads
    are checked by the gateway itself (Gateway.validate_settings)."""
    if secret_looking(settings):
        return {"settings": [_("A secret must never be stored here: put it in the server's environment and "
                               "name the variable.")]}
    names = frozenset(gateway.settings_names)
    errors: dict[str, list[str]] = {}
    for name in sorted(str(name) for name in set(settings) - names):
        if names:
            message = _("%(gateway)s has no setting named %(name)s; its settings are: %(names)s.") % {
                "gateway": gateway.title, "name": name, "names": ", ".join(sorted(names))}
        else:
            message = _("%(gateway)s takes no settings: %(name)s is not one; leave the settings empty.") % {
                "gateway": gateway.title, "name": name}
        errors.setdefault(name, []).append(message)
    for name, messages in gateway.validate_settings({k: v for k, v in settings.items() if k in names}).items():
        errors.setdefault(name, []).extend(str(message) for message in messages)
    return errors
