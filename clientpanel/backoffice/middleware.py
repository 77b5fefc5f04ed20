"""Rules for staff sessions and pages (issue 9), and the language a staff member reads them in."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

LAST_SEEN = "staff_last_seen"
# The last activity is written at most this often, so browsing does not write the session on every
# request; a session thus ends between IDLE - REFRESH and IDLE after its last request.
REFRESH_SECONDS = 300
NO_STORE_NAMESPACES = {"backoffice", "admin"}


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


class StaffSessionIdleMiddleware:
    """A staff session ends after a working day without a request (STAFF_SESSION_IDLE_MINUTES):
    checked here on the server, and the cookie and the stored session expire then too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
        if _is_staff(request):
            last_seen = request.session.get(LAST_SEEN)
            if isinstance(last_seen, int) and time.time() - last_seen > idle:
                logout(request)
        response = self.get_response(request)
        if _is_staff(request):  # also right after the login itself
            last_seen = request.session.get(LAST_SEEN)
            now = int(time.time())
            if not isinstance(last_seen, int) or now - last_seen > REFRESH_SECONDS:
                request.session[LAST_SEEN] = now
                request.session.set_expiry(idle)
        return response


class StaffPagesNoStoreMiddleware:
    """Staff pages (and Django's admin) show client data and one-time secrets (new API tokens,
    recovery codes): no browser or proxy may keep a copy (Cache-Control: no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and NO_STORE_NAMESPACES & set(match.namespaces):
            add_never_cache_headers(response)
        return response


def staff_language(user) -> str | None:
    """The language a staff member chose (User.language), when the panel speaks it."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else None


class StaffLanguageMiddleware:
    """A staff member reads the panel in the language kept on their account (the top bar's
    switch), whatever the browser asks for; everybody else gets LocaleMiddleware's choice (the
    language cookie, then Accept-Language, then LANGUAGE_CODE). Runs after the authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = staff_language(request.user) if _is_staff(request) else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
