"""One-time links in e-mails (a password to choose, an address to confirm) kept out of what is
stored: a message names each by a placeholder, the link itself waits in EmailMessage.links until
the message is sent (sending.py fills it in), then it is forgotten. Whoever reads a message later
— staff on the E-mails tab, a data export, a resend — sees that a link was there, never the link."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_PLACEHOLDER = "[[one-time-link:{name}]]"
# Letters, digits, dashes, brackets and a colon: nothing HTML escaping or a template changes.
_PLACEHOLDERS = re.compile(r"\[\[one-time-link:([a-z_]+)\]\]")


def link_placeholders(links: dict[str, str]) -> dict[str, str]:
    """The context a message is rendered with in place of its one-time links."""
    return {name: _PLACEHOLDER.format(name=name) for name in links}


def links_filled(text: str, links: dict[str, str]) -> str:
    """The text as it is sent: each placeholder replaced by its link."""
    return _PLACEHOLDERS.sub(lambda match: links.get(match.group(1), ""), text)


def links_hidden(text: str) -> str:
    """The text as anyone but its recipient may read it: each placeholder named, not filled."""
    return _PLACEHOLDERS.sub(lambda match: _("[one-time link, sent only to the recipient]"), text)


def has_links(text: str) -> bool:
    return bool(_PLACEHOLDERS.search(text))
