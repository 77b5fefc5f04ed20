"""Where a page goes on after a login, the second login step or a switch (the staff panel's and
the portal's `next`), and where a page's Back or Cancel leads (the page the visitor came from)."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_within(request: HttpRequest, next_url: str, *, prefix: str, fallback: str) -> str:
    """`next_url` when it is a path of this site under `prefix`, else `fallback`. The path is judged
    as the browser will resolve it (escapes decoded, dot segments removed), so /portal/../staff/ is
    not under /portal/; and only a path: redirect() reads any other text ("-1", "home") as a view's
    name, and one that is none was a 500."""
    path = urlsplit(next_url).path
    resolved = posixpath.normpath(unquote(path)) + ("/" if path.endswith("/") else "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()) \
            or not next_url.startswith(prefix) or not resolved.startswith(prefix) or "\\" in unquote(next_url):
        return fallback
    return next_url


def came_from(request: HttpRequest) -> str:
    """The page the visitor came from (its Referer, as sent), for a Back or Cancel link; "" when
    there is none, it is another site's, a path the browser would read otherwise, or this very page."""
    referer = request.headers.get("Referer", "")
    if not referer or referer == request.build_absolute_uri() or \
            not url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return ""
    path = urlsplit(referer).path
    return referer if next_within(request, path, prefix="/", fallback="") else ""
