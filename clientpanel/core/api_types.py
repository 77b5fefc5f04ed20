"""Types shared by the API's input schemas: every value is typed and bounded at the edge.

`Text(n)` and `OneLine(n)` are strings of at most n characters that refuse control characters
(core/text.py); a JSON number, boolean, list or object where text is expected is a field error.
`MoneyString` refuses JSON numbers. Page numbers and sizes, ids and counts are bounded integers,
so no value reaches the database that it cannot hold (page=10**18 is a 422, not an overflow), and
a JSON true or false is not one of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .pagination import MAX_PAGE, MAX_PAGE_SIZE
from .text import json_problem, text_problem

MAX_SEARCH_LENGTH = 100
MAX_INT_ID = 2**31 - 1


def _money_string(value: object) -> object:
    # A JSON number is a binary float in most clients (0.1 + 0.2 …): money travels as text.
    if value is None or isinstance(value, str):
        return value
    raise PydanticCustomError("money_string", _('Send money as a string, e.g. "12.50"; JSON numbers are refused.'))


def _not_a_boolean(value: object) -> object:
    # JSON true and false are not numbers: pydantic's lax int took them as 1 and 0 (price 1, one day).
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", _("Send a whole number, not true or false."))
    return value


def _refusing(problem_of: Callable[[Any], str | None]) -> Callable[[Any], Any]:
    """A validator that passes a value on, or refuses it with the text rule's reason."""
    def check(value: Any) -> Any:
        problem = problem_of(value)
        if problem:
            raise PydanticCustomError("control_character", problem)
        return value
    return check


_plain_text = _refusing(text_problem)
_one_line = _refusing(functools.partial(text_problem, single_line=True))
_plain_json = _refusing(json_problem)


MoneyString = Annotated[
    Annotated[str, StringConstraints(max_length=40), AfterValidator(_one_line)] | None,
    BeforeValidator(_money_string),
]


def Text(max_length: int) -> Any:
    """A text of at most max_length characters; line breaks and tabs allowed, other controls not."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_plain_text)]


def OneLine(max_length: int) -> Any:
    """A single-line text (names, codes, identifiers): no control characters at all."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_one_line)]


def Int(minimum: int, maximum: int) -> Any:
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_not_a_boolean)]


JsonObject = Annotated[dict[str, Any], AfterValidator(_plain_json)]
Search = Annotated[str, StringConstraints(max_length=MAX_SEARCH_LENGTH), AfterValidator(_plain_text)]
Cursor = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_one_line)]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE:,}")]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}")]
IntId = Annotated[int, Field(ge=1, le=MAX_INT_ID), BeforeValidator(_not_a_boolean)]

def strict_example(**values: Any) -> ConfigDict:
    """A body schema's config: unknown keys refused, and one valid body as its example (shown in the
    OpenAPI docs; schemathesis' examples phase sends it)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [values]})


# OpenAPI for the money-moving operations that honour an Idempotency-Key (core/idempotency.py).
IDEMPOTENT = {"parameters": [{
    "in": "header", "name": "Idempotency-Key", "required": False,
    "description": "Send the same key to repeat a request safely: its first answer comes back. One line, "
                   "1 to 255 characters.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}]}
