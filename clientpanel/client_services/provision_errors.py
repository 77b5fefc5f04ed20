"""What the system writes when a provisioning module's step fails, and how it reads in the reader's
language (core.wording, as ledger.descriptions).

A step that hangs, crashes, stops with no words or loses its worker is described by the system: a
code and its parameters are kept beside the English text, which the service's `provision_error`
(and the API) keep as before; the step is named by its label ("Create: …"), never by its code.
What a module says itself (its ModuleError's text) is kept under MODULE and shown as the module
wrote it. Rows from before the codes (no code) are recognised by their exact English wording;
anything else shows as stored."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import get_language, gettext_noop, pgettext_lazy

from clientpanel.catalog.modules import ModuleError, get_module
from clientpanel.core.money import display_quantity
from clientpanel.core.wording import CodedText, in_reader_language, kept_params, recognised

MODULE = "module"  # the module's own words
TIMEOUT = "timeout"
FAILED = "failed"
CRASHED = "crashed"
STALLED = "stalled"

# The English text, also the message translated: one wording for what is stored and what is shown.
# The step is named by its label in the reader's language (step_label: "Create", "Utworzenie"; a
# product action as its module names it), kept as its code ("create") among the parameters.
WORDING = {
    TIMEOUT: gettext_noop("%(action)s: the %(module)s module did not answer within %(seconds)s s."),
    FAILED: gettext_noop("%(action)s: the module's step failed."),
    CRASHED: gettext_noop("%(action)s: the module's step failed unexpectedly: %(error)s"),
    STALLED: gettext_noop("The module's step stopped without an answer (its worker was restarted); "
                          "check the server, then retry."),
}


class StepMessage(CodedText):
    """A module step's outcome as text (the English its callers record, audit and show), carrying
    the code and parameters it was written from: a plain string, for the callers and tests that
    treat it as one, and the columns record_module_result keeps. A plain str is a module's words."""

    outside = MODULE


def system_message(code: str, **params: Any) -> StepMessage:
    """The system's words for a step: system_message(TIMEOUT, module=…, seconds=…, action=…), the
    English kept naming the step by its English label (a `module` given names a product action)."""
    params = kept_params(params)
    with translation.override("en"):
        return StepMessage(WORDING[code] % _labelled(params), code, params)


# The steps a provisioning module is asked to run (ProvisioningEvent.action, stored as these codes),
# as people read them in the provisioning log; a product's own actions (reboot…) its module names.
PROVISIONING_STEPS = {"create": pgettext_lazy("provisioning step", "Create"),
                      "suspend": pgettext_lazy("provisioning step", "Suspend"),
                      "unsuspend": pgettext_lazy("provisioning step", "Unsuspend"),
                      "terminate": pgettext_lazy("provisioning step", "Terminate")}


def step_label(action: str, module: str | None = None) -> str:
    """A module's step in the active language: create, suspend, unsuspend and terminate by their
    labels (PROVISIONING_STEPS, as the provisioning log shows them), a product action as `module`
    declares it ("Reboot"); anything no one names (a module removed since), its code."""
    if action in PROVISIONING_STEPS:
        return str(PROVISIONING_STEPS[action])
    try:
        return str(get_module(module).actions.get(action, action)) if module else action
    except ModuleError:
        return action


def _labelled(params: dict) -> dict:
    """The parameters with the step's code read as its label (for the wording, not for the row)."""
    return {**params, "action": step_label(params["action"], params.get("module"))} if "action" in params \
        else params


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
    return in_reader_language(WORDING[code], _labelled(params) if isinstance(params, dict) else params, text,
                              _FORMATS)


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
