"""The API's answer while Redis does not answer (down, silent, full, a read-only replica): the
queue, a task's progress or the cache failed, not the request — a 503 in the one error shape with
Retry-After, never ninja's catch-all 500 (which runs before config/middleware.py could answer)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from clientpanel.accounts.throttle import ACTION_UNAVAILABLE, REDIS_UNAVAILABLE, ThrottleUnavailable

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


def answer(api, request: HttpRequest, exc: Exception, error_body: Callable[..., dict]) -> HttpResponse | None:
    """The 503 for a Redis that cannot serve now, its cause logged as one line (the throttle's
    refusal is logged already); None for any other error (a wrong command: a fault of ours)."""
    if isinstance(exc, ThrottleUnavailable):
        message = str(exc.message)
    elif isinstance(exc, REDIS_UNAVAILABLE):
        message = str(ACTION_UNAVAILABLE)
        logger.error("%s %s refused: Redis did not answer: %s: %s", request.method, request.path,
                     type(exc).__name__, exc)
    else:
        return None
    response = api.create_response(request, error_body("unavailable", message), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # not django.request's "Service Unavailable" line again
    return response
