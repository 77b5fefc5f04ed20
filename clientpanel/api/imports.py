"""POST /api/v1/imports/clients (a CSV file of clients, multipart) and GET /api/v1/imports/{id}: the
staff panel's import (clientpanel.clients.imports) for integrators. The upload is checked at once
(a file that is not a CSV of clients, or columns that do not map, answer 422 with nothing kept);
the rows are checked and committed by a background task, answered 202 with the import to poll.
Both need the clients:write scope; an import is its token's staff member's own."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import CLIENTS_WRITE
from clientpanel.automation.background import background_task_start, background_task_state
from clientpanel.automation.models import BackgroundTask
from clientpanel.clients import imports
from clientpanel.clients.models import ClientImport, ClientImportStatus
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.json_text import read_json
from clientpanel.core.schemas import iso_time

router = Router(tags=["imports"])

UPLOAD_URL_NAME = "import-clients"


def upload_limit() -> int:
    """The largest body POST /imports/clients takes: the file's limit and room for the form."""
    return imports.max_import_bytes() + max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, 64 * 1024)


class ImportCountsOut(Schema):
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0


class ImportErrorOut(Schema):
    line: int
    messages: list[str]


class ImportProgressOut(Schema):
    done: int
    total: int | None


class ImportOut(Schema):
    id: UUID
    file_name: str
    status: str
    dry_run: bool
    columns: dict[str, str]
    options: dict[str, str | bool]
    progress: ImportProgressOut | None
    counts: ImportCountsOut
    errors: list[ImportErrorOut]
    errors_not_shown: int
    error: str
    created_at: str
    finished_at: str | None


def import_out(imported: ClientImport) -> dict:
    progress = None
    if imported.status in (ClientImportStatus.CHECKING, ClientImportStatus.IMPORTING) and imported.task_id:
        task = BackgroundTask.objects.filter(pk=imported.task_id).first()
        if task is not None:
            state = background_task_state(task)
            progress = {"done": state.done, "total": state.total}
    counts = imported.counts or {}
    return {
        "id": imported.pk, "file_name": imported.file_name, "status": imported.status,
        "dry_run": imported.status in (ClientImportStatus.CHECKING, ClientImportStatus.CHECKED),
        "columns": {h: f for h, f in zip(imported.headers, imported.columns, strict=False) if f},
        "options": {"on_existing": imported.on_existing, "valid_only": imported.valid_only,
                    "send_welcome_emails": imported.send_welcome_emails},
        "progress": progress, "counts": counts, "errors": imported.errors,
        "errors_not_shown": max(counts.get("rejected", 0) - len(imported.errors), 0),
        "error": imported.error, "created_at": imported.created_at.isoformat(),
        "finished_at": iso_time(imported.finished_at),
    }


def _mapping(text: str) -> dict[str, str] | None:
    if not text:
        return None
    try:
        mapping = read_json(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValidationFailed.from_fields({"mapping": [_('Send a JSON object of "CSV header": "field".')]})
    return mapping


def _columns_refused(refused: ValidationFailed, headers: list[str], field: str) -> ValidationFailed:
    """The wizard's refusal of the columns (keyed column_<n> and columns, the page's own inputs)
    under the request's field: `mapping` when one was sent, else `file` (its headers were read
    for one); each column's problem names the column."""
    messages = []
    for key, problems in refused.fields.items():
        index = key.removeprefix("column_")
        header = headers[int(index)] if key != index and index.isdigit() and int(index) < len(headers) else None
        messages += [_("Column %(header)s: %(problem)s") % {"header": repr(header), "problem": problem}
                     if header is not None else problem for problem in problems]
    return ValidationFailed(refused.message, fields={field: messages})


@router.post("/imports/clients", response={202: ImportOut}, url_name=UPLOAD_URL_NAME,
             summary="Import clients from a CSV file (a background task to poll)", auth=scoped(CLIENTS_WRITE))
def import_clients(request, file: File[UploadedFile],
                   mapping: Form[str] = "", on_existing: Form[Literal["skip", "update", "refuse"]] = "skip",
                   valid_only: Form[bool] = False, send_welcome_emails: Form[bool] = False,
                   dry_run: Form[bool] = False):
    """Multipart: `file` (UTF-8 CSV, comma or semicolon, a header line), `mapping` (optional JSON
    `{"CSV header": "field"}`; default: guessed from the headers), `on_existing` (clients matched by
    number, then owner e-mail: skip, update or refuse), `valid_only` (default all or nothing),
    `send_welcome_emails`, `dry_run` (check only). Answers 202 with the import; poll
    `GET /imports/{id}` until `status` is IMPORTED, REFUSED (all or nothing: nothing written),
    CHECKED (a dry run) or FAILED."""
    actor = api_actor(request)
    given = _mapping(mapping)
    imported = imports.client_import_upload(actor=actor, file=file.file, name=file.name or "clients.csv",
                                            size=file.size, mapping=given)
    try:
        imports.client_import_map(actor=actor, import_id=imported.pk, columns=imported.columns)
    except ValidationFailed as refused:
        imports.client_import_discard(actor=actor, import_id=imported.pk)  # nothing kept of a refused call
        raise _columns_refused(refused, imported.headers, "mapping" if given is not None else "file") from None
    imported = imports.client_import_start(
        actor=actor, import_id=imported.pk, commit=not dry_run, on_existing=on_existing, valid_only=valid_only,
        send_welcome_emails=send_welcome_emails,
        start=lambda arguments: background_task_start(imports.KIND, requested_by=actor.user,
                                                      arguments=arguments).pk)
    return Status(202, import_out(imported))


@router.get("/imports/{import_id}", response=ImportOut, summary="An import: its status, counts and first errors",
            auth=scoped(CLIENTS_WRITE))
def import_get(request, import_id: UUID):
    """`errors` lists the first rejected rows (line and messages, at most 100); `errors_not_shown`
    says how many more there are."""
    return import_out(imports.client_import_get(actor=api_actor(request), import_id=import_id))
