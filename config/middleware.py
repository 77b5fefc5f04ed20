"""What a page answers when Redis does not answer: 503 with a message saying to try again shortly,
in the reader's language — never a 500 with a traceback.

- The login throttle's cache: the throttle refuses the request (accounts/throttle.py: it fails
  closed, so an unreachable cache lets no guess through) and has logged the cause as one error line.
- Huey's queue, for a page that queues a job itself rather than after its commit (the "Forgot
  password" request queues its look-up): the job is not queued, so nothing happened and the
  visitor may simply ask again; the cause is logged here as one error line, with the page.

Django's own "Service Unavailable" line for the response would only repeat the cause, so the
response says it is logged. The page is the error pages' layout (error_base.html), like the 500
page without a database query: whatever is down may be more than Redis. Its "← Back" goes to the
page asked for (GET), else to the page the form was on (a same-origin Referer; none without one):
a POST-only address answers a GET with 405. Redis down, silent, full or read-only alike
(throttle.REDIS_UNAVAILABLE); another Redis error is a fault of ours, left to the 500.

htmx does not swap an error answer: a polled or htmx-loaded part of a page would stay as it was,
silently. An htmx request gets the message as a 200 replacing the page's main area (HX-Retarget,
HX-Reswap, as the staff panel's sudo step does), which ends any polling there."""

from __future__ import annotations

import logging
from functools import cache

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from clientpanel.accounts.throttle import ACTION_UNAVAILABLE, REDIS_UNAVAILABLE, UNAVAILABLE_TITLE, ThrottleUnavailable

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60
_PAGE = """{% extends "error_base.html" %}{% block title %}{{ title }}{% endblock %}
{% block heading %}{{ title }}{% endblock %}{% block message %}{{ message }}{% endblock %}"""
_PART = """<div class="container py-5" style="max-width: 40rem" role="alert"><h1 class="display-6 mb-3">{{ title }}</h1>
<p class="lead">{{ message }}</p>{% include "_error_links.html" %}</div>"""


@cache
def _template(text: str):
    return engines["django"].from_string(text)


def _same_origin(request: HttpRequest, url: str) -> str:
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    return url if url and url_has_allowed_host_and_scheme(url, {host}, require_https=request.is_secure()) else ""


def _back_url(request: HttpRequest, htmx) -> str:
    if htmx:
        return _same_origin(request, htmx.current_url or "")  # the page, not the part it asked for
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return _same_origin(request, request.headers.get("Referer", ""))


def unavailable_response(request: HttpRequest, message: str) -> HttpResponse:
    portal = request.path.startswith("/portal/")
    htmx = getattr(request, "htmx", None)
    context = {"title": str(UNAVAILABLE_TITLE), "message": message, "in_portal": portal,
               "home_url": "/portal/" if portal else "/staff/", "back_url": _back_url(request, htmx)}
    if htmx:
        response = HttpResponse(_template(_PART).render(context))
        response["HX-Retarget"], response["HX-Reswap"] = "main", "innerHTML"
    else:
        response = HttpResponse(_template(_PAGE).render(context), status=503)
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
        if isinstance(exception, REDIS_UNAVAILABLE):
            logger.error("%s %s refused: Redis did not answer: %s: %s", request.method, request.path,
                         type(exception).__name__, exception)
            return unavailable_response(request, str(ACTION_UNAVAILABLE))
        return None
