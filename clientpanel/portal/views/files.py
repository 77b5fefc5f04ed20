"""The client's documents (View Documents): the files staff marked visible in the portal, listed —
found by name or description, sorted by date, name or size — and downloaded, always as an attachment,
through the same checks as the staff panel's download."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from clientpanel.clients.permissions import VIEW_DOCUMENTS
from clientpanel.files.models import ClientFile
from clientpanel.files.selectors import FILE_DEFAULT_SORT, FILE_SORTS, client_file_get, client_file_list
from clientpanel.ui.downloads import client_file_attachment

from ..access import portal_page, shown_or_not_here
from ..lists import ListQuery

FILE_COLUMNS = [("name", gettext_lazy("Name")), ("size", gettext_lazy("Size")), ("date", gettext_lazy("Date"))]


@portal_page(VIEW_DOCUMENTS)
def files(request: HttpRequest) -> HttpResponse:
    """The client's files shown in the portal, newest first, 25 a page; the pages keep the search and
    the sort, and a value the list cannot use is left out with the reason above it (portal/lists.py)."""
    portal = request.portal
    query = ListQuery(request)
    search = query.search()
    sorting, picker = query.sort(sorts=FILE_SORTS, default=FILE_DEFAULT_SORT, columns=FILE_COLUMNS)
    found = client_file_list(actor=portal.actor, client_id=portal.client.pk, search=search, sort=sorting.value)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(request, "portal/files.html", {"page": page, "q": search, "sorting": sorting, "picker": picker,
                                                 "kept": query.kept}, status=query.status)


@portal_page(VIEW_DOCUMENTS)
def file_download(request: HttpRequest, file_id) -> HttpResponse:
    portal = request.portal
    shown = shown_or_not_here(request, lambda: client_file_get(actor=portal.actor, client_id=portal.client.pk,
                                                               file_id=file_id), ClientFile, file_id)
    return client_file_attachment(request, shown, back_to=reverse("portal:files"))
