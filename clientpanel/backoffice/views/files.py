"""A client's Documents tab: the files staff keep for the client (clientpanel.files) — the list,
uploading one, downloading and deleting. Seeing and downloading need View clients, uploading and
deleting Edit clients; limited staff reach their assigned clients' files only (the selectors')."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.files import selectors as file_selectors
from clientpanel.files import services as file_services
from clientpanel.files.names import size_text
from clientpanel.ui.downloads import client_file_attachment
from clientpanel.ui.sorting import list_sort
from clientpanel.ui.uploads import FileSizeLimit, upload_limited

from ..access import area_required
from ..feedback import run_and_report
from ..forms.files import ClientFileForm
from ..query import query_text, refuses_bad_query
from .common import client_or_404, record_context, reload_page, sent_once

PAGE_SIZE = 25


def _file_or_404(request: HttpRequest, client, file_id):
    """One of this client's files; another client's file (even one the staff member sees) is a 404."""
    try:
        return file_selectors.client_file_get(actor=request.user, client_id=client.pk, file_id=file_id)
    except NotFound:
        raise Http404("File not found.") from None


# The tab's sortable columns, in the table's order (the phone's "Sort by" offers the same).
FILE_COLUMNS = [("name", gettext_lazy("Name")), ("size", gettext_lazy("Size")), ("date", gettext_lazy("Uploaded"))]


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_files(request: HttpRequest, client_id) -> HttpResponse:
    """The client's files, newest first, searched by name or description and sorted by a column as
    the portal's Documents page is; a sort the tab does not offer shows its default order and why."""
    client = client_or_404(request, client_id)
    search = query_text(request)
    sorting = list_sort(query=request.GET, sorts=file_selectors.FILE_SORTS,
                        default=file_selectors.FILE_DEFAULT_SORT, columns=FILE_COLUMNS)
    files = file_selectors.client_file_list(actor=request.user, client_id=client.pk, search=search,
                                            sort=sorting.value)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/clients/files.html", record_context(request, client, "files") | {
        "page": page, "q": search, "sorting": sorting, "kept": [("q", search), ("sort", sorting.value)]})


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
@upload_limited(file_services.max_file_bytes)
def client_file_upload(request: HttpRequest, client_id, upload_limit: FileSizeLimit) -> HttpResponse:
    client = client_or_404(request, client_id)
    form = ClientFileForm(request.POST, request.FILES) if request.method == "POST" else ClientFileForm()
    if request.method == "POST" and form.is_valid():
        if "file" in upload_limit.too_large:
            form.add_error("file", file_services.too_large_message())
        else:
            try:  # kept once per showing of the form (its one-time key): a double click keeps no copy
                uploaded = sent_once(request, form, lambda: file_services.client_file_upload(
                    actor=request.user, client_id=client.pk, file=form.cleaned_data["file"],
                    name=form.cleaned_data["name"], note=form.cleaned_data["note"],
                    visible_in_portal=form.cleaned_data["visible_in_portal"]))
            except ValidationFailed as error:
                form.apply_errors(error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(name)s uploaded.") % {"name": uploaded.name})
                return reload_page(request, "backoffice:client-files", client_id=client.id)
    return render(request, "backoffice/clients/_file_form.html", {
        "client": client, "form": form, "max_size": size_text(file_services.max_file_bytes())})


@area_required(VIEW_CLIENTS)
@require_GET
def client_file_download(request: HttpRequest, client_id, file_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    shown = _file_or_404(request, client, file_id)
    return client_file_attachment(request, shown, back_to=reverse("backoffice:client-files", args=[client.id]))


@area_required(EDIT_CLIENTS)
@require_POST
def client_file_delete(request: HttpRequest, client_id, file_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    shown = _file_or_404(request, client, file_id)
    run_and_report(request, lambda: file_services.client_file_delete(actor=request.user, client_id=client.pk,
                                                                     file_id=shown.pk),
                   success=_("%(name)s deleted.") % {"name": shown.name}, missing=_("That file no longer exists."))
    return reload_page(request, "backoffice:client-files", client_id=client.id)
