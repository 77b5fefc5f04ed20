"""Why an e-invoice could not be made, sent or accepted, readable in the reader's language (core.
wording, as ledger.descriptions and client_services.provision_errors).

What the system says (a missing exchange rate, KSeF out of reach) is written as a `Reason`: the
English text, which `EInvoice.error` and the API's `error` keep, with its code and parameters
(reason_wording.WORDING) kept beside it in `error_code` and `error_params`. Words from outside —
KSeF's own message, a schema validator's, an exception's kind — stay as received: a reason of
their own under RECEIVED, or a parameter of the system's framing ("KSeF refused the request (HTTP
403): <KSeF's words>"), which is translated around them. A parameter may be another reason
(KSeF's refusal inside "KSeF refused us for a day (…)"): kept as its code, parameters and text.

Rows from before the codes were written in the language of whoever caused them: they are
recognised by their exact wording in any of the panel's languages; anything else shows as stored."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext

from clientpanel.core.money import display_amount, display_quantity
from clientpanel.core.wording import CodedText, in_reader_language, recognised

from .reason_wording import AMOUNTS, NESTED, NUMBERS, WORDING

RECEIVED = "received"  # words from outside, shown as received
MAX_TEXT = 500  # EInvoice.error's length; a parameter from outside is bounded alike


class Reason(CodedText):
    """A reason as text (the English its callers store, log and compare), carrying the code and
    parameters it was written from. A plain str, or a Reason under RECEIVED, is words from outside."""

    outside = RECEIVED


def said(code: str, **params: Any) -> Reason:
    """The system's words: said("rate_missing", to=…, currency=…, day=…, document=…). A parameter
    that is a Reason is kept as one (translated in turn); numbers as text, as the English shows them."""
    english = {key: str(value) if isinstance(value, str) else _kept(value) for key, value in params.items()}
    return Reason(WORDING[code] % english, code, {key: _kept(value) for key, value in params.items()})


def _kept(value: Any) -> Any:
    if isinstance(value, Reason) and value.code != RECEIVED:
        return {"code": value.code, "params": value.params, "text": value[:MAX_TEXT]}
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # "%(position)d"
    return str(value)[:MAX_TEXT]


def reason_of(error: BaseException | str) -> Reason:
    """The reason an exception was raised with (CannotExport(said(…)), KsefRefused(said(…))), or
    its text as received."""
    if isinstance(error, Reason):
        return error
    first = error.args[0] if isinstance(error, BaseException) and error.args else error
    return first if isinstance(first, Reason) else Reason(str(error))


def error_columns(reason: BaseException | str | None) -> dict:
    """An e-invoice's error columns for a reason (none: all three emptied)."""
    if reason is None or reason == "":
        return {"error": "", "error_code": "", "error_params": None}
    reason = reason_of(reason)
    return {"error": reason[:MAX_TEXT], "error_code": reason.code, "error_params": reason.params}


def describe(text: str, code: str, params: object) -> str:
    """A stored reason in the active language: the system's words translated (a reason inside
    another too, amounts in the reader's format), words from outside and anything unrecognised
    exactly as stored."""
    if not code:
        code, params = _recognised(text)
    if code not in WORDING:
        return text
    if isinstance(params, dict):
        params = {key: _described(value) for key, value in params.items()}
    return in_reader_language(WORDING[code], params, text, _FORMATS)


def code_of(text: str, code: str) -> str | None:
    """The stored reason's code (an older row's as recognised); None when there is none."""
    if not text:
        return None
    return code or _recognised(text)[0] or None


def _described(value: object) -> object:
    if isinstance(value, dict):
        return describe(str(value.get("text", "")), str(value.get("code") or ""), value.get("params"))
    return value


def _amount(value: str) -> str:
    return display_amount(Decimal(value), "", get_language())


def _number(value: str) -> str:
    return display_quantity(Decimal(value), get_language(), places=NUMBER_PLACES)


NUMBER_PLACES = 10  # beyond any amount (4) or exchange rate (6): the decimals a reason names stay
_FORMATS = dict.fromkeys(AMOUNTS, _amount) | dict.fromkeys(NUMBERS, _number)

# Older rows: each wording, in each of the panel's languages, as a pattern its parameters are read from.
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")


def _pattern(wording: str) -> re.Pattern[str]:
    parts, seen, position = [], set(), 0
    for match in _PLACEHOLDER.finditer(wording):
        parts.append(re.escape(wording[position:match.start()]))
        name, kind = match.groups()
        if name is None:
            parts.append("%")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(rf"(?P<{name}>-?\d+)" if kind == "d" else f"(?P<{name}>.+?)")
        position = match.end()
    parts.append(re.escape(wording[position:]))
    return re.compile("".join(parts), re.DOTALL)


@cache
def _patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The language's wordings as patterns, the most literal first (a short one never takes a row
    a longer one describes)."""
    with translation.override(language):
        worded = [(code, gettext(wording)) for code, wording in WORDING.items()]
    worded.sort(key=lambda item: -len(_PLACEHOLDER.sub("", item[1])))
    return tuple((code, _pattern(text)) for code, text in worded)


_INTEGERS = {code: {name for name, kind in _PLACEHOLDER.findall(wording) if kind == "d"}
             for code, wording in WORDING.items()}


def _recognised(text: str) -> tuple[str, dict | None]:
    for language, _name in settings.LANGUAGES:
        code, params = recognised(text, _patterns(language))
        if params is not None:
            for name in _INTEGERS[code] & params.keys():
                params[name] = int(params[name])
            for name in NESTED & params.keys():
                inner_code, inner = _recognised(params[name])
                if inner is not None:
                    params[name] = {"code": inner_code, "params": inner, "text": params[name]}
            return code, params
    return "", None
