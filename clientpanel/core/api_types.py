"""Types shared by the API's input schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _money_string(value: object) -> object:
    # A JSON number is a binary float in most clients (0.1 + 0.2 …): money travels as text.
    if value is None or isinstance(value, str):
        return value
    raise PydanticCustomError("money_string", 'Send money as a string, e.g. "12.50"; JSON numbers are refused.')


MoneyString = Annotated[str | None, BeforeValidator(_money_string)]
