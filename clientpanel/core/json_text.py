"""Reading JSON that people and integrators send."""

from __future__ import annotations

import json
from typing import Any


def read_json(text: str | bytes) -> Any:
    """json.loads, with one refusal for anything unreadable: text nested deeper than the parser's
    recursion limit ('[' * 1000, a few kilobytes) raises RecursionError, which no `except
    ValueError` around json.loads catches and which became a 500; here it is a ValueError too."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
