"""Running a staff action and telling the staff member what came of it, in one place; and the
flash message as it is shown (one_full_stop)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from clientpanel.core.errors import DomainError, NotFound, ValidationFailed

# A sentence's own full stop after a name or a number that ends in one ("… sp. z o.o.", "… Inc.").
# The dot removed: the second of two, or a fourth after an ellipsis.
_EXTRA_STOP = re.compile(r"(?:(?<=[^.]\.)|(?<=\.\.\.))\.\Z")


def one_full_stop(message: object) -> str:
    """A flash message with one full stop at its end: a sentence ending in a name that ends in one
    ("Dodano klienta 0061 Nowak Hosting sp. z o.o.", "… linked to Acme Inc.") reads "o.o.", never
    "o.o.."; an ellipsis stays one. Applied where the panel shows its messages (base.html), so to
    every message in every language, whichever names it puts where."""
    return _EXTRA_STOP.sub("", str(message).rstrip())


def refusal_messages(error: DomainError) -> list[str]:
    """What to tell of a refusal shown as a flash message: its message, unless that is only the
    summary naming the fields ("Some fields are not valid: ksef_token_env.") — then each field's own
    message, which says what is wrong (a raw field name says nothing to the staff member)."""
    if error.fields and error.message == ValidationFailed.from_fields(error.fields).message:
        return list(dict.fromkeys(message for field_messages in error.fields.values() for message in field_messages))
    return [error.message]


def run_and_report(request: HttpRequest, action: Callable[[], Any], *, success: str | Callable[[Any], str],
                   missing: str) -> Any | None:
    """Run a service call; flash its success, the refusal it raised, or that its object is gone.
    Answers the service's result, or None when it was refused. (A form whose fields can be refused
    shows them under its fields instead: see views/einvoices.py's einvoice_profile.)"""
    try:
        result = action()
    except NotFound:
        messages.error(request, missing)
        return None
    except DomainError as error:
        for message in refusal_messages(error):
            messages.error(request, message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
