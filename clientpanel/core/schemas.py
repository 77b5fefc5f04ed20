"""API schemas every app's router shares: the strict input base, the plain list query and the
list answer and the page of it. The bounded value types they are made of are in core/api_types.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict

from .api_types import Page, PageSize, Search
from .errors import ValidationFailed


class StrictSchema(Schema):
    # Unknown keys are refused, so a misspelt field is an error, never silently ignored.
    model_config = ConfigDict(extra="forbid")


class SearchPageParams(Schema):
    # The query of a list that is searched and paged, nothing else. An endpoint subclasses it
    # under its own name (the OpenAPI component's); a docstring would become its description.
    search: Search = ""
    page: Page = 1
    page_size: PageSize = 50


Item = TypeVar("Item")


class ListOut(Schema, Generic[Item]):
    # A list's answer: how many there are in all, and this page of them. An endpoint subclasses it
    # for its items under its own name (the OpenAPI component's), as SearchPageParams.
    count: int
    results: list[Item]


def list_page(rows: QuerySet, *, page: int, page_size: int,
              item_out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of rows as a ListOut answers it: how many rows there are in all, and this page's
    items. page and page_size come typed as Page and PageSize, whose bounds ninja checks before the
    endpoint runs (a 422 naming the field), so the offset stays within what the database takes."""
    start = (page - 1) * page_size
    return {"count": rows.count(), "results": [item_out(row) for row in rows[start:start + page_size]]}


def choice_filter(field: str, value: str, choices: Iterable[str]) -> str:
    """A list's filter on one of a fixed set of codes (a status, a type), read in either letter case
    as the client directory reads `status`: the code, "" when none was asked; ValidationFailed on
    `field` for a code that is none of them."""
    choices = list(choices)
    code = (value or "").strip().upper()
    if code and code not in choices:
        raise ValidationFailed(_("Some fields are not valid: %(fields)s.") % {"fields": field}, fields={
            field: [_("Use one of %(choices)s.") % {"choices": ", ".join(choices)}]})
    return code


def iso_time(value) -> str | None:
    """A date or datetime as the API writes it (ISO 8601), or None when there is none."""
    return value.isoformat() if value else None
