"""What a page answers when Redis does not answer: 503 with a message saying to try again shortly,
in the reader's language — never a 500 with a traceback.

- The login throttle's cache: the throttle refuses the request (accounts/throttle.py: it fails
  closed, so an unreachable cache lets no guess through) and has logged the cause as one error line.
- Huey's queue, for a page that queues a job itself rather than after its commit (the "Forgot
  password" request queues its look-up): the job is not queued, so nothing happened and the
  visitor may simply ask again; the cause is logged here as one error line, with the page.

Django's own "Service Unavailable" line for the response would only repeat the cause, so the
response says it is logged. The page is the error pages' layout (error_base.html), like the 500
page without a database query: whatever is down may be more than Redis."""

from __future__ import annotations

import logging
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.cache import add_never_cache_headers
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from clientpanel.accounts.throttle import ACTION_UNAVAILABLE, UNAVAILABLE_TITLE, ThrottleUnavailable

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60
_PAGE = """{% extends "error_base.html" %}{% block title %}{{ title }}{% endblock %}
{% block heading %}{{ title }}{% endblock %}{% block message %}{{ message }}{% endblock %}"""


@cache
def _page():
    return engines["django"].from_string(_PAGE)


def unavailable_response(request: HttpRequest, message: str) -> HttpResponse:
    portal = request.path.startswith("/portal/")
    context = {"title": str(UNAVAILABLE_TITLE), "message": message, "in_portal": portal,
               "home_url": "/portal/" if portal else "/staff/", "back_url": request.path}
    response = HttpResponse(_page().render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response._has_been_logged = True  # the cause is logged already (django.utils.log.log_response)
    return response


class RedisUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ThrottleUnavailable):
            return unavailable_response(request, str(exception.message))
        if isinstance(exception, RedisConnectionError | RedisTimeoutError):
            logger.error("%s %s refused: Redis did not answer: %s: %s", request.method, request.path,
                         type(exception).__name__, exception)
            return unavailable_response(request, str(ACTION_UNAVAILABLE))
        return None
