"""What a page answers when the login throttle's cache (Redis) does not answer: 503 with a message
saying to try again shortly, in the reader's language — never a 500 with a traceback.

The throttle refuses the request then (accounts/throttle.py: it fails closed, so an unreachable
cache lets no guess through) and has logged the cause as one error line; Django's own
"Service Unavailable" line for the response would only repeat it, so the response says it is
logged. The page is the error pages' layout (error_base.html), like the 500 page without a
database query: whatever is down may be more than Redis."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.cache import add_never_cache_headers

from clientpanel.accounts.throttle import UNAVAILABLE_TITLE, ThrottleUnavailable

RETRY_AFTER_SECONDS = 60
_PAGE = """{% extends "error_base.html" %}{% block title %}{{ title }}{% endblock %}
{% block heading %}{{ title }}{% endblock %}{% block message %}{{ message }}{% endblock %}"""


@cache
def _page():
    return engines["django"].from_string(_PAGE)


def unavailable_response(request: HttpRequest, refusal: ThrottleUnavailable) -> HttpResponse:
    portal = request.path.startswith("/portal/")
    context = {"title": str(UNAVAILABLE_TITLE), "message": str(refusal.message), "in_portal": portal,
               "home_url": "/portal/" if portal else "/staff/", "back_url": request.path}
    response = HttpResponse(_page().render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response._has_been_logged = True  # the throttle logged the cause (django.utils.log.log_response)
    return response


class ThrottleUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ThrottleUnavailable):
            return unavailable_response(request, exception)
        return None
