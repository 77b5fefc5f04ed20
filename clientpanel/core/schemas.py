"""API schemas every app's router shares: the strict input base, the plain list query and the
list answer. The bounded value types they are made of are in core/api_types.py."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict

from .api_types import Page, PageSize, Search


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


def iso_time(value) -> str | None:
    """A date or datetime as the API writes it (ISO 8601), or None when there is none."""
    return value.isoformat() if value else None
