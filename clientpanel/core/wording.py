"""Text the system writes into a row (a ledger entry's description, a failed provisioning step)
kept as a code and its parameters beside the English the API returns, so that each reader sees it
in their language: each domain keeps its codes and wordings (ledger.descriptions,
client_services.provision_errors), this the mechanism they share. Rows from before the codes are
recognised by their exact English; whatever does not fit shows as stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import InvalidOperation
from typing import Any

from django.utils.translation import gettext

NO_FORMATS: Mapping[str, Callable[[str], str]] = {}


def kept_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The parameters as a row keeps them: text (numbers as str(Decimal), which the English shows)."""
    return {key: str(value) for key, value in params.items()}


def in_reader_language(wording: str, params: object, stored: str,
                       formats: Mapping[str, Callable[[str], str]] = NO_FORMATS) -> str:
    """`wording` (a message id) translated and filled with the row's parameters, each through its
    format where it has one (an amount, a period's length); the stored text when the parameters do
    not fit the wording."""
    if not isinstance(params, dict):
        return stored
    try:
        shown = {key: formats[key](value) if key in formats else value for key, value in params.items()}
        # A variable, not a literal, inside gettext(): the extractor would take a literal for a message.
        return gettext(wording) % shown
    except (KeyError, InvalidOperation, TypeError, ValueError):
        return stored


def recognised(text: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> tuple[str, dict | None]:
    """The code and parameters of a row from before the codes, read back from its exact English
    (the first pattern it matches whole); ("", None) for anything else."""
    for code, pattern in patterns:
        match = pattern.fullmatch(text)
        if match:
            return code, match.groupdict()
    return "", None
