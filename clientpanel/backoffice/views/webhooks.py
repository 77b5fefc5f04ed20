"""Settings → Webhooks: the endpoints, one endpoint's settings and delivery log, and its actions
(send a test event, rotate the secret, replay a message, delete)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.webhooks import policies, selectors, services
from clientpanel.webhooks.models import MessageStatus

from ..access import policy_required
from ..feedback import run_and_report
from ..forms.webhooks import WebhookForm
from .common import form_page, page_of, sent_once

_webhook_page = policy_required(SETTINGS, policies.can_manage_webhooks,
                                "Webhooks need the Settings area and every client.")

# The secret of a new or rotated endpoint is shown once, on the page the POST redirects to.
SECRET_KEY = "webhook_secret_once"


def _show_secret_once(request: HttpRequest, endpoint_id, secret: str) -> None:
    request.session[SECRET_KEY] = {"endpoint": str(endpoint_id), "secret": secret}


def _secret_to_show(request: HttpRequest, endpoint_id) -> str | None:
    held = request.session.get(SECRET_KEY)
    if held and held.get("endpoint") == str(endpoint_id):
        del request.session[SECRET_KEY]
        return held["secret"]
    return None


@_webhook_page
def webhook_list(request: HttpRequest) -> HttpResponse:
    endpoints = list(selectors.endpoints_visible(actor=request.user))
    return render(request, "backoffice/settings/webhook_list.html", {
        "endpoints": endpoints, "disabled": [e for e in endpoints if not e.is_active and e.disabled_at]})


@_webhook_page
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    """A new endpoint, made once per showing of the form (its one-time key): two endpoints made by a
    double click would each receive every event."""
    form = WebhookForm(request.POST or None)

    def save(_data: dict):
        endpoint, secret = sent_once(request, form, lambda: services.endpoint_create(
            actor=request.user, data=form.service_data))
        _show_secret_once(request, endpoint.pk, secret)
        return endpoint

    return form_page(request, form, "backoffice/settings/webhook_form.html",
                     save=save, then=lambda endpoint: redirect("backoffice:webhook-detail", endpoint.pk))


@_webhook_page
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, endpoint_id=endpoint_id)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
               "is_active": endpoint.is_active}
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    page = page_of(request, selectors.messages_of(endpoint, status=status), 25)
    context = {"endpoint": endpoint, "page": page, "status": status, "statuses": MessageStatus.choices,
               "secret": _secret_to_show(request, endpoint.pk), "kept": [("status", status)] if status else []}
    form = WebhookForm(request.POST or None, initial=initial)
    return form_page(request, form, "backoffice/settings/webhook_detail.html", context,
                     save=lambda _data: services.endpoint_update(actor=request.user, endpoint_id=endpoint.pk,
                                                                 data=form.service_data),
                     then=lambda saved: redirect("backoffice:webhook-detail", saved.pk),
                     success=_("The endpoint is saved."))


def _endpoint_action(request: HttpRequest, action, success: str) -> HttpResponse | None:
    return run_and_report(request, action, success=success, missing=_("That endpoint or message no longer exists."))


@_webhook_page
@require_POST
def webhook_test(request: HttpRequest, endpoint_id) -> HttpResponse:
    _endpoint_action(request, lambda: services.endpoint_test_send(actor=request.user, endpoint_id=endpoint_id),
                     _("A test event is on its way; its delivery appears in the log below."))
    return redirect("backoffice:webhook-detail", endpoint_id)


@_webhook_page
@require_POST
def webhook_rotate(request: HttpRequest, endpoint_id) -> HttpResponse:
    rotated = _endpoint_action(
        request, lambda: services.endpoint_secret_rotate(actor=request.user, endpoint_id=endpoint_id),
        _("The secret is replaced: every message from now on is signed with the new one."))
    if rotated:
        _show_secret_once(request, endpoint_id, rotated[1])
    return redirect("backoffice:webhook-detail", endpoint_id)


@_webhook_page
@require_POST
def webhook_replay(request: HttpRequest, endpoint_id, message_id: str) -> HttpResponse:
    _endpoint_action(request, lambda: services.message_replay(actor=request.user, endpoint_id=endpoint_id,
                                                              message_id=message_id[:40]),
                     _("The message is sent again."))
    return redirect("backoffice:webhook-detail", endpoint_id)


@_webhook_page
@require_POST
def webhook_delete(request: HttpRequest, endpoint_id) -> HttpResponse:
    _endpoint_action(request, lambda: services.endpoint_delete(actor=request.user, endpoint_id=endpoint_id),
                     _("The endpoint is deleted; nothing more is sent to it."))
    return redirect("backoffice:webhook-list")
