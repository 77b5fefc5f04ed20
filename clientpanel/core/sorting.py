"""A list's order as its query string names it: `issue_date`, or `-issue_date` for descending.

Each list names the sorts it offers — a public name for the model fields it orders by, the last of
them unique so that ties are broken the same way on every page — and its default. A sort the list
does not offer is a field error on `sort` (a page shows its default order and says why), never an
order_by of whatever was typed. Descending reverses every field, so that a sort reads its index
backwards rather than needing a second one (the directory's rule, clients/selectors/directory.py).

An empty value (NULL: a service not activated yet, a document not issued) sorts as the largest one,
last ascending and first descending, on every database: PostgreSQL's order, in which its (ascending)
indexes keep them, so an index still serves the sort either way — SQLite's own would put them first
ascending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from .errors import ValidationFailed


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool
    fields: tuple[str, ...]  # ascending, as the list names them ("-created_at" inside a sort stays reversed)

    @property
    def value(self) -> str:
        """The sort as the query string, the headers and the phone's picker carry it."""
        return f"-{self.key}" if self.descending else self.key

    @property
    def ordering(self) -> list[OrderBy]:
        """order_by()'s arguments: each field in its direction, an empty value as the largest."""
        return [_order_by(_reversed(field) if self.descending else field) for field in self.fields]


def _reversed(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _order_by(field: str) -> OrderBy:
    if field.startswith("-"):
        return F(field[1:]).desc(nulls_first=True)
    return F(field).asc(nulls_last=True)


def sort_of(sort: str | None, sorts: Mapping[str, Sequence[str]], *, default: str) -> Sort:
    """The sort asked for (`name` or `-name`; empty: the default) among `sorts`; ValidationFailed on
    `sort` for a name the list does not offer."""
    asked = (sort or "").strip() or default
    key, descending = asked.lstrip("-"), asked.startswith("-")
    if key not in sorts:
        raise ValidationFailed(
            _("Cannot sort by %(name)s.") % {"name": repr(key[:40])},
            fields={"sort": [_("Use one of %(choices)s, with - for descending.") % {"choices": ", ".join(sorts)}]},
        )
    return Sort(key=key, descending=descending, fields=tuple(sorts[key]))
