"""E-mails: a client's E-mails tab, one message, Resend, Settings → E-mail log and Settings → E-mail
templates (edit, preview with a real client, reset to the shipped default)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, SETTINGS, VIEW_CLIENTS
from clientpanel.clients import selectors as client_selectors
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.notifications import selectors as email_selectors
from clientpanel.notifications import services as email_services
from clientpanel.notifications.kinds import MESSAGE_KINDS
from clientpanel.notifications.links import links_hidden
from clientpanel.notifications.models import EmailStatus, EmailTemplate
from clientpanel.notifications.rendering import check_template, edits_refused, template_parts
from clientpanel.ui.sorting import list_sort

from ..access import area_required
from ..forms.emails import EmailTemplateForm
from ..query import RefusedQuery, query_text, refuses_bad_query
from .common import client_or_404, found_or_404, page_of, record_context

PAGE_SIZE = 25
# The e-mail log's sortable headers (notifications.selectors.EMAIL_SORTS).
EMAIL_COLUMNS = [("when", gettext_lazy("When")), ("to", gettext_lazy("To"))]


@area_required(VIEW_CLIENTS)
def client_emails(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    emails = email_selectors.email_list(actor=request.user, client_id=client.pk)
    page = page_of(request, emails, PAGE_SIZE)
    return render(request, "backoffice/clients/emails.html", record_context(request, client, "emails") | {
        "page": page})


@area_required(VIEW_CLIENTS)
def email_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    email = found_or_404(lambda: email_selectors.email_get(actor=request.user, email_id=email_id), "E-mail not found.")
    # A one-time link (a password reset's…) is named, never shown: it would let the reader into the
    # recipient's account (notifications/links.py).
    return render(request, "backoffice/emails/detail.html", {"email": email, "body_text": links_hidden(email.body_text),
                                                              "subject": links_hidden(email.subject)})


@area_required(EDIT_CLIENTS)
@require_POST
def email_resend(request: HttpRequest, email_id: int) -> HttpResponse:
    try:
        copy = found_or_404(lambda: email_services.email_resend(actor=request.user, email_id=email_id),
                            "E-mail not found.")
    except DomainError as refused:  # a one-time link that is gone: ask for a new one instead
        messages.error(request, refused.message)
        return redirect("backoffice:email-detail", email_id=email_id)
    messages.success(request, _("The e-mail to %(recipient)s is queued again.") % {"recipient": copy.recipient})
    return redirect("backoffice:email-detail", email_id=copy.pk)


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def email_log(request: HttpRequest) -> HttpResponse:
    status = query_text(request, "status", max_length=10)
    search = query_text(request)
    # A sort the log does not offer: its default order, and the reason above it (as the directory).
    sorting = list_sort(query=request.GET, sorts=email_selectors.EMAIL_SORTS,
                        default=email_selectors.EMAIL_DEFAULT_SORT, columns=EMAIL_COLUMNS)
    try:
        emails = email_selectors.email_list(actor=request.user, status=status, search=search, sort=sorting.value)
    except ValidationFailed as error:
        name, problems = next(iter(error.fields.items()))
        raise RefusedQuery("q" if name == "search" else name, problems[0]) from None
    page = page_of(request, emails, 50)
    return render(request, "backoffice/emails/log.html", {
        "title": _("E-mail log"), "section": _("Settings"),
        "page": page, "filters": {"status": status, "search": search}, "statuses": EmailStatus.choices,
        "query": urlencode({"status": status, "q": search, "sort": sorting.value}), "sorting": sorting})


@area_required(SETTINGS)
def email_template_list(request: HttpRequest) -> HttpResponse:
    edited = set(EmailTemplate.objects.values_list("key", "language"))
    refused = edits_refused()
    rows = [{"kind": kind, "languages": [(language, (kind.key, language) in edited, (kind.key, language) in refused)
                                         for language in django_settings.CLIENTPANEL_LANGUAGES]}
            for kind in MESSAGE_KINDS.values()]
    return render(request, "backoffice/emails/template_list.html", {"rows": rows})


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def email_template_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    if key not in MESSAGE_KINDS or language not in django_settings.CLIENTPANEL_LANGUAGES:
        raise Http404("No such template.")
    in_use = template_parts(key, language) or template_parts(key, "en") or {}
    form = EmailTemplateForm(request.POST or None, initial=in_use)
    preview = None
    if request.method == "POST" and "reset" in request.POST:
        email_services.email_template_reset(actor=request.user, key=key, language=language)
        messages.success(request, _("The template is back to the shipped default."))
        return redirect("backoffice:email-template-edit", key=key, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                client = _preview_client(request, form.cleaned_data["preview_client"])
                preview = email_services.email_preview(actor=request.user, key=key, language=language,
                                                       parts=form.parts(), client=client)
            else:
                email_services.email_template_save(actor=request.user, key=key, language=language, parts=form.parts())
                messages.success(request, _("Template saved."))
                return redirect("backoffice:email-template-edit", key=key, language=language)
        except ValidationFailed as error:
            form.apply_errors(error)
    edited = EmailTemplate.objects.filter(key=key, language=language).exists()
    refused = request.method == "GET" and edited and (key, language) in edits_refused()
    if refused:  # saved before a rule it breaks: say what, since the default goes out instead
        form = EmailTemplateForm({**in_use, "preview_client": ""})
        try:
            if form.is_valid():
                check_template(key, in_use)
        except ValidationFailed as error:
            form.apply_errors(error, besides_own=True)
    return render(request, "backoffice/emails/template_edit.html", {
        "form": form, "kind": MESSAGE_KINDS[key], "language": language, "preview": preview,
        "edited": edited, "refused": refused})


def _preview_client(request: HttpRequest, number: str):
    """The client named by number, or the newest one the staff member sees; refused when none."""
    clients = client_selectors.clients_visible_to(request.user).select_related("owner")
    client = clients.filter(number=number).first() if number else clients.order_by("-created_at").first()
    if client is None:
        raise ValidationFailed(_("No client to preview with."),
                               fields={"preview_client": [_("Enter the number of a client you can see.")]})
    return client
