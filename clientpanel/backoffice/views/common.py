"""What several staff pages share: the client a page is about (404 when the staff member may not
see it), the context of the client record's tabs, a form page's round trip, where a modal's
form goes once it is done, and a list's CSV export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from clientpanel.clients import selectors as client_selectors
from clientpanel.clients.rules import takes_new_business
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.invoicing import selectors as document_selectors
from clientpanel.ui import exports
from clientpanel.ui.downloads import csv_attachment
from clientpanel.ui.forms import SUBMISSION
from clientpanel.ui.forms import sent_once as once

from ..query import RefusedQuery

T = TypeVar("T")


def found_or_404(lookup: Callable[[], T], message: str) -> T:
    """What lookup answers (a selector's get, or a service acting on one object), or a 404 with
    message when it raises NotFound: the object is gone, or the staff member may not see it."""
    try:
        return lookup()
    except NotFound:
        raise Http404(message) from None


def client_or_404(request: HttpRequest, client_id):
    return found_or_404(lambda: client_selectors.client_get(actor=request.user, client_id=client_id),
                        "Client not found.")


def page_of(request: HttpRequest, items, per_page: int) -> Page:
    """The page of items the query string asks for (?page=; the first, or the last, when it asks for
    one out of range). A list that keeps filters in its Previous and Next links (backoffice/_pager.html)
    names them in its context as kept: [(name, value), …]."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def record_context(request: HttpRequest, client, tab: str) -> dict:
    return {"client": client, "tab": tab, "billing": client_selectors.billing_address_of(client),
            # Add service and Add Funds offered, or why not (beside the disabled buttons)
            "takes_new_business": takes_new_business(client.status),
            "order_refusal": client_selectors.new_business_refusal(client, client_selectors.ORDERING),
            "add_funds_refusal": client_selectors.new_business_refusal(client, client_selectors.ADDING_FUNDS)}


def reload_page(request: HttpRequest, fallback: str, **kwargs) -> HttpResponse:
    """Done in a modal: htmx reloads the page the modal was opened on; a plain POST is redirected to
    fallback (a URL name, with kwargs)."""
    return HttpResponseClientRefresh() if request.htmx else redirect(fallback, **kwargs)


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """Done in a modal, the next page is another: htmx sends the whole page there, a plain POST is
    redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def form_page(request: HttpRequest, form, template: str, context: dict | None = None, *,
              save: Callable[[dict], Any], then: Callable[[Any], HttpResponse],
              success: str | Callable[[Any], str] | None = None, mapping: dict[str, str] | None = None,
              refused: Callable[[DomainError], None] | None = None,
              check: Callable[[dict], None] | None = None) -> HttpResponse:
    """A staff form (a page or a modal), shown and posted. A valid POST goes to save (the service
    call, given the cleaned data); invalid fields it reports show on the form (mapping: the service's
    field names to the form's), any other refusal through refused, or without one above the form (a
    limit reached, a row deleted meanwhile: it was a 500); Django's Http404 and PermissionDenied go on. A saved
    form flashes success (given what save answered, when callable) and answers then(what save
    answered). Otherwise the template shows the form, with what was typed and its errors — with
    check (the service's own check, which writes nothing), also the problems the service finds in
    the fields the form let through, so that every problem shows in one round."""
    if request.method == "POST" and not form.is_valid() and check is not None:
        try:
            check(form.cleaned_data)
        except ValidationFailed as error:
            form.apply_errors(error, mapping, besides_own=True)
    elif request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationFailed as error:
            form.apply_errors(error, mapping)
        except DomainError as error:
            if refused is not None:
                refused(error)
            else:
                form.add_error(None, error.message)
        else:
            if success is not None:
                messages.success(request, success(saved) if callable(success) else success)
            return then(saved)
    return render(request, template, (context or {}) | {"form": form})


def csv_export(request: HttpRequest, find: Callable[[], Any], *, columns: list, stem: str,
               back_to: str) -> HttpResponse:
    """A list page's Export CSV (issue 13): every row find() answers — the page's selector with the
    page's search, filters and sort, all pages — streamed in chunks with the columns of
    ui/exports.py. A search or filter the page would refuse sends the browser back to the page
    with the same query string, where the page says why."""
    try:
        items = find()
    except (RefusedQuery, ValidationFailed):
        query = request.GET.urlencode()
        return redirect(f"{back_to}?{query}" if query else back_to)
    return csv_attachment(exports.header(columns),
                          exports.rows(columns, items.iterator(chunk_size=exports.CHUNK_SIZE)),
                          filename=exports.export_filename(stem))


def sent_once(request: HttpRequest, form, action: Callable[[], T]) -> T:
    """Run a SentOnceMixin form's action once for the form as it was shown, under the staff
    member's keys (ui.forms.sent_once: the same form sent again is refused in words, a refusal
    frees it)."""
    return once(f"form:{request.user.pk}", form.cleaned_data.get(SUBMISSION), action)


def document_or_404(request: HttpRequest, document_id):
    """A document the staff member may see, or a 404."""
    return found_or_404(lambda: document_selectors.document_get(actor=request.user, document_id=document_id),
                        "Document not found.")


def document_action_response(request: HttpRequest, document) -> HttpResponse:
    """After an action on a document: its page (the whole page when the action came from a modal)."""
    return go_to(request, reverse("backoffice:document-detail", args=[document.pk]))
