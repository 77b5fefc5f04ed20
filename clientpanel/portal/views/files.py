"""The client's documents (View Documents): the files staff marked visible in the portal, listed
and downloaded — always as an attachment, through the same checks as the staff panel's download."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from clientpanel.clients.permissions import VIEW_DOCUMENTS
from clientpanel.files.models import ClientFile
from clientpanel.files.selectors import client_file_get, client_file_list
from clientpanel.ui.downloads import client_file_attachment

from ..access import portal_page, shown_or_not_here


@portal_page(VIEW_DOCUMENTS)
def files(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    page = Paginator(client_file_list(actor=portal.actor, client_id=portal.client.pk), 25).get_page(
        request.GET.get("page"))
    return render(request, "portal/files.html", {"page": page})


@portal_page(VIEW_DOCUMENTS)
def file_download(request: HttpRequest, file_id) -> HttpResponse:
    portal = request.portal
    shown = shown_or_not_here(request, lambda: client_file_get(actor=portal.actor, client_id=portal.client.pk,
                                                               file_id=file_id), ClientFile, file_id)
    return client_file_attachment(request, shown, back_to=reverse("portal:files"))
