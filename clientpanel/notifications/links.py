"""One-time links in e-mails (a password to choose, an address to confirm) kept out of what is
stored: a message names each by a placeholder, the link itself waits in EmailMessage.links until
the message is sent (sending.py fills it in), then it is forgotten. Whoever reads a message later
— staff on the E-mails tab, a data export, a resend — sees that a link was there, never the link."""

from __future__ import annotations

import re
from html import escape

from django.utils.translation import gettext as _

_PLACEHOLDER = "[[one-time-link:{name}]]"
# Letters, digits, dashes, brackets and a colon: nothing HTML escaping or a template changes.
_PLACEHOLDERS = re.compile(r"\[\[one-time-link:([a-z_]+)\]\]")


def link_placeholders(links: dict[str, str]) -> dict[str, str]:
    """The context a message is rendered with in place of its one-time links."""
    return {name: _PLACEHOLDER.format(name=name) for name in links}


# Where a link is filled in: in the text, standing alone (a line of its own, between spaces, before a
# full stop or in brackets); in HTML, as the whole address of a link (href="…") or the whole text
# between two tags. Anywhere else — inside another address, an image's source, a style, a subject —
# it is left out: an edited template must not hand the link to another site.
_STANDING_ALONE = re.compile(r"(?<![^\s(<])\[\[one-time-link:([a-z_]+)\]\](?=[\s.,;:!?)>]|$)")
_LINK_ADDRESS = re.compile(r'(?<=href=")\[\[one-time-link:([a-z_]+)\]\](?=")')
_BETWEEN_TAGS = re.compile(r"(?<=>)\[\[one-time-link:([a-z_]+)\]\](?=<)")


def links_filled(text: str, links: dict[str, str], *, html: bool = False) -> str:
    """The text as it is sent: each placeholder where a link may stand replaced by its link (in
    HTML, escaped for an attribute), every other placeholder left out."""
    def link(match: re.Match[str]) -> str:
        value = links.get(match.group(1), "")
        return escape(value) if html else value

    for allowed in ((_LINK_ADDRESS, _BETWEEN_TAGS) if html else (_STANDING_ALONE,)):
        text = allowed.sub(link, text)
    return _PLACEHOLDERS.sub("", text)


def links_hidden(text: str) -> str:
    """The text as anyone but its recipient may read it: each placeholder named, not filled."""
    return _PLACEHOLDERS.sub(lambda match: _("[one-time link, sent only to the recipient]"), text)


def has_links(text: str) -> bool:
    return bool(_PLACEHOLDERS.search(text))
