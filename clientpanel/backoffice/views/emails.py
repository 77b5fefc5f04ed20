"""E-mails: a client's E-mails tab, one message, Resend, and Settings → E-mail log."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.notifications import selectors as email_selectors
from clientpanel.notifications import services as email_services
from clientpanel.notifications.models import EmailStatus

from ..access import area_required
from ..query import RefusedQuery, query_text, refuses_bad_query
from .common import client_or_404, record_context

PAGE_SIZE = 25


@area_required(VIEW_CLIENTS)
def client_emails(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    emails = email_selectors.email_list(actor=request.user, client_id=client.pk)
    page = Paginator(emails, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/clients/emails.html", record_context(request, client, "emails") | {
        "page": page})


@area_required(VIEW_CLIENTS)
def email_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    try:
        email = email_selectors.email_get(actor=request.user, email_id=email_id)
    except NotFound:
        raise Http404("E-mail not found.") from None
    return render(request, "backoffice/emails/detail.html", {"email": email})


@area_required(EDIT_CLIENTS)
@require_POST
def email_resend(request: HttpRequest, email_id: int) -> HttpResponse:
    try:
        copy = email_services.email_resend(actor=request.user, email_id=email_id)
    except NotFound:
        raise Http404("E-mail not found.") from None
    messages.success(request, _("The e-mail to %(recipient)s is queued again.") % {"recipient": copy.recipient})
    return redirect("backoffice:email-detail", email_id=copy.pk)


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def email_log(request: HttpRequest) -> HttpResponse:
    status = query_text(request, "status", max_length=10)
    search = query_text(request)
    try:
        emails = email_selectors.email_list(actor=request.user, status=status, search=search)
    except ValidationFailed as error:
        name, problems = next(iter(error.fields.items()))
        raise RefusedQuery("q" if name == "search" else name, problems[0]) from None
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/emails/log.html", {
        "page": page, "filters": {"status": status, "search": search}, "statuses": EmailStatus.choices,
        "query": urlencode({"status": status, "q": search})})
