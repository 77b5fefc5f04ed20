"""Running a staff action and telling the staff member what came of it, in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from clientpanel.core.errors import DomainError, NotFound


def run_and_report(request: HttpRequest, action: Callable[[], Any], *, success: str | Callable[[Any], str],
                   missing: str) -> Any | None:
    """Run a service call; flash its success, the refusal it raised, or that its object is gone.
    Answers the service's result, or None when it was refused."""
    try:
        result = action()
    except NotFound:
        messages.error(request, missing)
        return None
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
