"""What the system writes when a provisioning module's step fails, and how it reads in the reader's
language (core.wording, as ledger.descriptions).

A step that hangs, crashes, stops with no words or loses its worker is described by the system: a
code and its parameters are kept beside the English text, which the service's `provision_error`
(and the API) keep as before. What a module says itself (its ModuleError's text) is kept under
MODULE and shown as the module wrote it. Rows from before the codes (no code) are recognised by
their exact English wording; anything else shows as stored."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext_noop

from clientpanel.core.money import display_quantity
from clientpanel.core.wording import CodedText, in_reader_language, kept_params, recognised

MODULE = "module"  # the module's own words
TIMEOUT = "timeout"
FAILED = "failed"
CRASHED = "crashed"
STALLED = "stalled"

# The English text, also the message translated: one wording for what is stored and what is shown.
WORDING = {
    TIMEOUT: gettext_noop("The %(module)s module did not answer within %(seconds)s s (%(action)s)."),
    FAILED: gettext_noop("%(action)s failed"),
    CRASHED: gettext_noop("%(action)s failed unexpectedly: %(error)s"),
    STALLED: gettext_noop("The module's step stopped without an answer (its worker was restarted); "
                          "check the server, then retry."),
}


class StepMessage(CodedText):
    """A module step's outcome as text (the English its callers record, audit and show), carrying
    the code and parameters it was written from: a plain string, for the callers and tests that
    treat it as one, and the columns record_module_result keeps. A plain str is a module's words."""

    outside = MODULE


def system_message(code: str, **params: Any) -> StepMessage:
    """The system's words for a step: system_message(TIMEOUT, module=…, seconds=…, action=…)."""
    params = kept_params(params)
    return StepMessage(WORDING[code] % params, code, params)


def error_columns(message: str) -> dict:
    """The service's columns for a failed step's message (a StepMessage, or a module's plain text)."""
    return {"provision_error": message[:2000], "provision_error_code": getattr(message, "code", MODULE),
            "provision_error_params": getattr(message, "params", None)}


def describe(text: str, code: str, params: dict | None) -> str:
    """A step's message in the active language: the system's words translated (seconds in the
    reader's number format), a module's words and anything unrecognised exactly as stored."""
    if not code:
        code, params = recognised(text, _OLD)
    if code not in WORDING:
        return text
    return in_reader_language(WORDING[code], params, text, _FORMATS)


def describe_message(message: str) -> str:
    """describe() of a step's message as run_module answered it (a product action's flash)."""
    return describe(message, getattr(message, "code", MODULE), getattr(message, "params", None))


_OLD = [  # the wording written before the codes
    (TIMEOUT, re.compile(r"The (?P<module>.+) module did not answer within (?P<seconds>[0-9.]+) s "
                         r"\((?P<action>[\w.-]+)\)\.")),
    (CRASHED, re.compile(r"(?P<action>[\w.-]+) failed unexpectedly: (?P<error>.*)", re.DOTALL)),
    (FAILED, re.compile(r"(?P<action>[\w.-]+) failed")),
    (STALLED, re.compile(re.escape(WORDING[STALLED]))),
]
_FORMATS = {"seconds": lambda value: display_quantity(Decimal(value), get_language())}
