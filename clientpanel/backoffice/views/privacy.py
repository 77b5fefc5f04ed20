"""A client's Privacy actions on its Profile tab: export everything held about it (a ZIP), erase its
personal data (privacy.services)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientpanel.accounts.roles import EDIT_CLIENTS
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.privacy import services as privacy
from clientpanel.ui.downloads import attachment

from ..access import area_required
from .common import client_or_404, record_context


@area_required(EDIT_CLIENTS)
def client_data_export(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    return attachment(request, lambda: privacy.client_data_export_record(actor=request.user, client_id=client.pk)[1],
                      content_type="application/zip", filename=f"{client.number}-data.zip",
                      back_to=reverse("backoffice:client-profile", args=[client.id]))


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_erase(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    error, field_error = "", ""
    if request.method == "POST":
        try:
            privacy.client_erase(actor=request.user, client_id=client.pk, confirm=request.POST.get("confirm", "")[:100])
        except ValidationFailed as refused:
            field_error = " ".join(refused.fields.get("confirm", [])) or refused.message
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, _("The personal data of client %(number)s is erased.")
                             % {"number": client.number})
            return redirect("backoffice:client-profile", client_id=client.id)
    response = render(request, "backoffice/clients/erase.html", record_context(request, client, "profile") | {
        "error": error, "field_error": field_error, "erased": privacy.is_erased(client)})
    if error or field_error:
        response.status_code = 400
    return response
