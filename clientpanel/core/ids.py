"""Ids that come from outside (a URL, a form, JSON): read, never trusted."""

from __future__ import annotations

import uuid


def uuid_or_none(value: object) -> uuid.UUID | None:
    """The value as a UUID, or None when it is not one (a selector then finds nothing: a 404, not a 500)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None
