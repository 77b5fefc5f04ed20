"""The pages shown instead of one that cannot be: 400, 403, 404 and 500 (config/urls.py handler403…).

A signed-in staff member reads a 403 or 404 inside the panel (its menu stays, so the way on is
one click); the portal's addresses lead back to the portal's home, every other one to the staff
dashboard; and each offers "Back" to the page the visitor came from when that page is ours. The
500 page is rendered from a standalone template with no database query and no context processor,
since the error may be the database itself. Django shows these pages only with DEBUG off, which
is how `make run` serves (config/settings/dev.py); `make dev` turns DEBUG on and shows Django's
technical pages on purpose."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .form_text import FormNotUtf8
from .redirects import came_from

PORTAL_PREFIX = "/portal/"
PORTAL_HOME = "/portal/"
STAFF_HOME = "/staff/"


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def error_context(request: HttpRequest, *, inside_panel: bool = True) -> dict:
    portal = request.path.startswith(PORTAL_PREFIX)
    layout = "error_base.html"
    if inside_panel and not portal and _is_staff(request):
        layout = "backoffice/error_page.html"
    try:
        back = came_from(request)
    except Exception:  # a malformed Host header must not turn a 404 into a 500
        back = ""
    return {"layout": layout, "home_url": PORTAL_HOME if portal else STAFF_HOME, "in_portal": portal,
            "back_url": back}


def _render(request: HttpRequest, template_name: str, status: int, *, inside_panel: bool = True,
            extra: dict | None = None) -> HttpResponse:
    template = loader.get_template(template_name)
    context = error_context(request, inside_panel=inside_panel) | (extra or {})
    return HttpResponse(template.render(context, request), status=status)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "400.html", 400, inside_panel=False, extra={"reason": _refusal_of(exception)})


def _refusal_of(exception: Exception | None) -> str:
    """What was wrong, when the refusal is one a person can fix: a text pasted into a form that
    takes the request past Django's limits read "could not be understood"."""
    if isinstance(exception, RequestDataTooBig):
        return _("The form sent more than %(limit)s; shorten what you entered and try again.") % {
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    if isinstance(exception, FormNotUtf8):
        return _("The form sent text that is not UTF-8; send it again from the page.")
    if isinstance(exception, TooManyFieldsSent):
        return _("The form sent more than %(count)s fields; send fewer at a time.") % {
            "count": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)}
    return ""


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """No request context (no context processor touches the database): a plain template."""
    portal = request.path.startswith(PORTAL_PREFIX)
    context = {"layout": "error_base.html", "home_url": PORTAL_HOME if portal else STAFF_HOME,
               "in_portal": portal}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
