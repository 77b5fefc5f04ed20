"""Ids that come from outside (a URL, a form, JSON): read, never trusted."""

from __future__ import annotations

import uuid


def uuid_or_none(value: object) -> uuid.UUID | None:
    """The value as a UUID, or None when it is not one (a selector then finds nothing: a 404, not a 500)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def int_id_or_none(value: object) -> int | None:
    """The value as a database integer id (ASCII digits, at most 18 of them: within a bigint), or
    None. str.isdigit alone lets through '²' and thousands of digits, which int() or the database
    refuse with an error rather than an answer."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdecimal()) or len(text) > 18:
        return None
    return int(text)
