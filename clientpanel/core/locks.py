"""Locking the one row a write changes, inside the caller's transaction, or NotFound."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from .errors import NotFound


def lock_one(rows: Any, not_found: str, **lookup: Any) -> Any:
    """The row of rows (a queryset or manager) that matches lookup, locked FOR UPDATE until the
    transaction ends (its own table's row only, never the rows joined to scope it); NotFound with
    the message not_found when rows hold no such row or a lookup value is no valid key."""
    try:
        return rows.select_for_update(of=("self",)).get(**lookup)
    except (rows.model.DoesNotExist, ValueError, TypeError, ValidationError):  # a malformed UUID: ValidationError
        raise NotFound(not_found) from None
