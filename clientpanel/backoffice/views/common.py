"""What several staff pages share: the client a page is about (404 when the staff member may not
see it), the context of the client record's tabs, and where a modal's form goes once it is done."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from clientpanel.clients import selectors as client_selectors
from clientpanel.core.errors import NotFound


def client_or_404(request: HttpRequest, client_id):
    try:
        return client_selectors.client_get(actor=request.user, client_id=client_id)
    except NotFound:
        raise Http404("Client not found.") from None


def record_context(request: HttpRequest, client, tab: str) -> dict:
    return {"client": client, "tab": tab, "billing": client_selectors.billing_address_of(client)}


def reload_page(request: HttpRequest, fallback: str, **kwargs) -> HttpResponse:
    """Done in a modal: htmx reloads the page the modal was opened on; a plain POST is redirected to
    fallback (a URL name, with kwargs)."""
    return HttpResponseClientRefresh() if request.htmx else redirect(fallback, **kwargs)


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """Done in a modal, the next page is another: htmx sends the whole page there, a plain POST is
    redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
