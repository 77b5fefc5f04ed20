"""Clients → Import (issue 13): upload a CSV file → map its columns → the check's preview → commit,
as background tasks (backoffice:background-task shows the commit's progress and result). Edit
clients area; each staff member sees only the imports they started. The work is the clients
domain's (clientpanel.clients.imports); these views parse, call and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS
from clientpanel.automation.background import background_task_start, background_task_state
from clientpanel.automation.models import BackgroundTask
from clientpanel.clients import imports
from clientpanel.clients.models import ClientImportStatus, OnExisting
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.ui.uploads import FileSizeLimit, upload_limited

from ..access import area_required

SAMPLE_ROWS = 3


def _import_or_404(request: HttpRequest, import_id):
    try:
        return imports.client_import_get(actor=request.user, import_id=import_id)
    except NotFound:
        raise Http404("No such import.") from None


def _starter(request: HttpRequest):
    """Queues the domain's check or commit as a background task of this staff member."""
    return lambda arguments: background_task_start(imports.KIND, requested_by=request.user, arguments=arguments).pk


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
@upload_limited(imports.max_import_bytes)
def client_import_upload(request: HttpRequest, upload_limit: FileSizeLimit) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if "file" in upload_limit.too_large:
            error = imports.too_large_message()
        elif upload is None:
            error = _("Choose a CSV file to upload.")
        else:
            try:
                imported = imports.client_import_upload(actor=request.user, file=upload.file, name=upload.name,
                                                        size=upload.size)
            except DomainError as refused:
                error = refused.message
            else:
                return redirect("backoffice:client-import-map", import_id=imported.pk)
    return render(request, "backoffice/clients/import/upload.html", {
        "step": 1, "error": error, "max_megabytes": imports.max_import_bytes() // (1024 * 1024),
        "required": imports.REQUIRED, "optional": [field for field in imports.FIELDS if field not in imports.REQUIRED]},
        status=422 if error else 200)


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_import_map(request: HttpRequest, import_id) -> HttpResponse:
    imported = _import_or_404(request, import_id)
    problems: dict[str, list[str]] = {}
    columns = list(imported.columns)
    if request.method == "POST":
        if "apply_mapping" in request.POST:
            try:
                imported = imports.client_import_mapping_apply(actor=request.user, import_id=imported.pk,
                                                               mapping_id=request.POST.get("mapping", ""))
            except DomainError as refused:
                messages.error(request, refused.message)
            return redirect("backoffice:client-import-map", import_id=imported.pk)
        columns = [request.POST.get(f"column_{index}", "") for index in range(len(imported.headers))]
        try:
            imports.client_import_map(actor=request.user, import_id=imported.pk, columns=columns,
                                      save_as=request.POST.get("save_as", ""))
            imports.client_import_start(actor=request.user, import_id=imported.pk, commit=False,
                                        start=_starter(request))
        except ValidationFailed as refused:
            problems = refused.fields or {"columns": [refused.message]}
        except DomainError as refused:
            problems = {"columns": [refused.message]}
        else:
            return redirect("backoffice:client-import-preview", import_id=imported.pk)
    samples = imports.client_import_sample(imported, SAMPLE_ROWS)
    rows = [{"index": index, "header": header, "field": columns[index] if index < len(columns) else "",
             "samples": [sample[index] if index < len(sample) else "" for sample in samples],
             "problems": problems.get(f"column_{index}", [])}
            for index, header in enumerate(imported.headers)]
    return render(request, "backoffice/clients/import/map.html", {
        "step": 2, "imported": imported, "rows": rows, "fields": imports.FIELDS, "not_imported": imports.NOT_IMPORTED,
        "problems": problems.get("columns", []) + problems.get("save_as", []),
        "mappings": imports.client_import_mappings(), "required": imports.REQUIRED,
        "busy": imported.status in (ClientImportStatus.CHECKING, ClientImportStatus.IMPORTING),
    }, status=422 if problems else 200)


@area_required(EDIT_CLIENTS)
@require_GET
def client_import_preview(request: HttpRequest, import_id) -> HttpResponse:
    """The check's progress while it runs (the page polls itself), then its preview and the commit's
    options."""
    imported = _import_or_404(request, import_id)
    state = None
    if imported.status == ClientImportStatus.CHECKING and imported.task_id:
        task = BackgroundTask.objects.filter(pk=imported.task_id).first()
        state = background_task_state(task) if task else None
    fields = [field for field in imports.FIELDS if field in imported.columns]
    counts = imported.counts or {}
    return render(request, "backoffice/clients/import/preview.html", {
        "step": 3, "imported": imported, "state": state, "headings": [imports.FIELDS[field] for field in fields],
        "preview": [{**row, "cells": [row["values"].get(field, "") for field in fields]} for row in imported.preview],
        "counts": counts, "more_errors": max(counts.get("rejected", 0) - len(imported.errors), 0),
        "on_existing_choices": OnExisting.choices,
        "checking": imported.status == ClientImportStatus.CHECKING,
        "committable": imports.client_import_committable(imported),
    })


@area_required(EDIT_CLIENTS)
@require_POST
def client_import_commit(request: HttpRequest, import_id) -> HttpResponse:
    imported = _import_or_404(request, import_id)
    try:
        imported = imports.client_import_start(
            actor=request.user, import_id=imported.pk, commit=True, start=_starter(request),
            on_existing=request.POST.get("on_existing", OnExisting.SKIP),
            valid_only=request.POST.get("valid_only") == "on",
            send_welcome_emails=request.POST.get("send_welcome_emails") == "on")
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("backoffice:client-import-preview", import_id=imported.pk)
    return redirect("backoffice:background-task", task_id=imported.task_id)


@area_required(EDIT_CLIENTS)
@require_GET
def client_import_rejected(request: HttpRequest, import_id) -> HttpResponse:
    """The rejected rows with their errors, as the CSV file they came in (plus an Errors column)."""
    imported = _import_or_404(request, import_id)
    try:
        handle = imports.rejected_rows_open(imported)
    except NotFound as missing:
        messages.error(request, missing.message)
        return redirect(reverse("backoffice:client-import-preview", args=[imported.pk]))
    response = FileResponse(handle, as_attachment=True, filename=imports.rejected_rows_name(imported),
                            content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
