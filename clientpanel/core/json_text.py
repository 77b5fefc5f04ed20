"""Reading JSON that people and integrators send."""

from __future__ import annotations

import json
import math
from typing import Any


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: beyond a double, read as infinity
        raise ValueError(f"{text[:20]} is beyond the numbers JSON can carry")
    return value


def read_json(text: str | bytes) -> Any:
    """json.loads, with one refusal (ValueError) for anything unreadable: text nested deeper than
    the parser's recursion limit ('[' * 1000, a few kilobytes) raises RecursionError, which no
    `except ValueError` around json.loads catches and which became a 500; NaN, Infinity and numbers
    too large for a double (1e999), which Python reads and JSON does not have, PostgreSQL's jsonb
    refused when they were stored (a 500 too)."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
