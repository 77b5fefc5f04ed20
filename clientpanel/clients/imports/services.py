"""CSV import of clients (issue 13): upload → map columns → check (the preview) → commit. This
module holds the wizard's steps; running.py runs a check or a commit, importer.py is its pass over
the rows, new_rows.py the values it writes, storage.py the files.

- **Upload** (`client_import_upload`) reads the whole file once as a stream: what is not a CSV file
  of clients is refused there (binary, not UTF-8, no header, no rows, over the size limit). The
  file is kept in the default storage under our own name until it is committed (or for
  CLIENTPANEL_IMPORT_KEEP_DAYS).
- **Map** (`client_import_map`): the field each column feeds; each field from one column, the
  required ones present. A mapping can be saved by name and applied to the next file.
- **Check and commit** run as background tasks (`clients_import_run`, kind "clients.import"), or
  in the command. Both read the file row by row and clean each row with client_create's own
  cleaning (`clean_new_client`); existing clients (matched by number, then by the owner's e-mail)
  are skipped, updated through client_update's and address_update's locked steps, or refused. A
  commit writes new clients in batches inside ONE transaction: all or nothing by default (a
  rejected row rolls everything back), or the valid rows only. A check does the same without
  writing new rows and rolls back whatever the updates wrote. Either leaves the counts, the first
  rows, the first rejected rows' errors and a CSV of every rejected row with its errors.
- A commit records one audit event for the import and, as client_create does, one per created
  client and billing address (and the update services' own for updated ones); it publishes ONE
  `import.completed` event — no client.created per client — and welcome e-mails only when asked.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.ids import new_id
from clientpanel.core.places import FieldInvalid, clean_text
from clientpanel.core.text import json_problem

from .. import policies
from ..models import ClientImport, ClientImportMapping, ClientImportStatus, OnExisting
from . import reading
from .columns import guess_columns, headers_not_in_file, mapping_problems
from .selectors import own_import
from .storage import BUSY, STORAGE_DIR, max_import_bytes, remove, store, too_large_message

KIND = "clients.import"


def client_import_upload(*, actor: ActorLike, file: IO[bytes], name: str, size: int | None = None,
                         mapping: dict[str, str] | None = None) -> ClientImport:
    """Check a CSV file of clients and keep it for the next steps; the columns are guessed from its
    headers (or taken from `mapping`, {header: field}). Refuses, storing nothing, a file over the
    size limit or one that is not a CSV file of clients (ValidationFailed on "file")."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    # A given mapping's fields are kept as they are for client_import_map to judge: a NUL or a lone
    # surrogate in them would reach the columns' JSON, which PostgreSQL refuses (a 500).
    problem = json_problem(mapping) if mapping is not None else None
    if problem:
        raise ValidationFailed.from_fields({"mapping": [problem]})
    file.seek(0, io.SEEK_END)
    size = file.tell() if size is None else size
    if size > max_import_bytes():
        raise reading.file_refused(too_large_message())
    shape = reading.inspect(file)
    missing = headers_not_in_file(shape.headers, mapping) if mapping else []
    if missing:
        message = _("The file has no column %(headers)s: a mapping names columns of the file's first line.") % {
            "headers": ", ".join(repr(header[:reading.HEADER_LIMIT]) for header in missing[:10])}
        raise ValidationFailed(message, fields={"mapping": [message]})
    import_id = new_id()
    file.seek(0)
    stored = store(f"{STORAGE_DIR}/{import_id}.csv", file)
    try:
        return ClientImport.objects.create(
            id=import_id, created_by=actor.user if actor.is_staff_side else None,
            file_name=(name or "clients.csv")[:255], stored_name=stored, size=size, delimiter=shape.delimiter,
            headers=shape.headers, row_count=shape.row_count, columns=guess_columns(shape.headers, mapping))
    except Exception:
        remove(stored)
        raise


def _refuse_when_busy(imported: ClientImport) -> None:
    if imported.status in BUSY:
        raise Conflict(_("This file is being checked or imported; wait for the task to end."), code="import_busy")
    if imported.status == ClientImportStatus.IMPORTED:
        raise Conflict(_("This file is imported already; upload it again to import it once more."),
                       code="import_done")


def client_import_map(*, actor: ActorLike, import_id, columns: list[str], save_as: str = "") -> ClientImport:
    """Set the field of each column ("" for none); refused when a field would be fed by two
    columns or a required one by none. `save_as` also saves the mapping under that name (replacing
    one of the same name) for the next file. A new mapping voids the last check."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    columns = [str(c or "") for c in columns]
    save_as = (save_as or "").strip()
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        problems = mapping_problems(imported.headers, columns)
        if save_as:
            try:
                save_as = clean_text(save_as, max_length=100, label=_("Mapping name"), single_line=True,
                                     required=True)
            except FieldInvalid as error:
                problems.setdefault("save_as", []).append(str(error))
        if problems:
            raise ValidationFailed(_("The mapping is not complete: %(problems)s")
                                   % {"problems": " ".join(m for ms in problems.values() for m in ms)}, fields=problems)
        imported.columns = columns
        imported.status = ClientImportStatus.UPLOADED
        imported.counts, imported.preview, imported.errors = {}, [], []
        imported.save(update_fields=["columns", "status", "counts", "preview", "errors"])
        if save_as:
            fields = {header: field for header, field in zip(imported.headers, columns, strict=True) if field}
            ClientImportMapping.objects.update_or_create(name=save_as, defaults={
                "fields": fields, "created_by": actor.user if actor.is_staff_side else None})
            audit_record(action="client_import.mapping_save", object_type="clientimportmapping",
                         object_id=save_as, object_label=save_as, changes={"fields": [None, fields]})
    return imported


def client_import_discard(*, actor: ActorLike, import_id) -> None:
    """Forget an import that will not be run (its file and row), unless it is running."""
    actor = as_actor(actor)
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        if imported.status in BUSY:
            raise Conflict(_("This file is being checked or imported; wait for the task to end."), code="import_busy")
        imported.delete()
    transaction.on_commit(lambda: (remove(imported.stored_name), remove(imported.rejected_name)))


def client_import_mapping_apply(*, actor: ActorLike, import_id, mapping_id) -> ClientImport:
    """Take a saved mapping's choices for this file's headers (matched by name), for review."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    try:
        mapping = ClientImportMapping.objects.get(pk=int(str(mapping_id)))
    except (ValueError, ClientImportMapping.DoesNotExist):
        raise NotFound(_("There is no such saved mapping.")) from None
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        imported.columns = guess_columns(imported.headers, mapping.fields)
        imported.save(update_fields=["columns"])
    return imported


def client_import_start(*, actor: ActorLike, import_id, commit: bool, start: Callable[[dict], int | None],
                        on_existing: str | None = None, valid_only: bool | None = None,
                        send_welcome_emails: bool | None = None) -> ClientImport:
    """Queue a check (commit=False) or the commit of an import with these options. `start` queues
    the background task with its JSON arguments and answers its id (the interfaces pass
    automation's background_task_start; this domain does not import it)."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    errors = FieldErrors()
    if on_existing is not None and on_existing not in OnExisting.values:
        errors.add("on_existing", _("Choose skip, update or refuse."))
    errors.raise_if_any()
    if on_existing == OnExisting.UPDATE:
        require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        if not imported.stored_name:
            raise Conflict(_("The uploaded file was removed (imports are kept %(days)d days); upload it again.")
                           % {"days": settings.CLIENTPANEL_IMPORT_KEEP_DAYS}, code="import_file_gone")
        problems = mapping_problems(imported.headers, imported.columns)
        if problems:
            raise ValidationFailed(_("Map the columns first: %(problems)s")
                                   % {"problems": " ".join(m for ms in problems.values() for m in ms)}, fields=problems)
        if on_existing is not None:
            imported.on_existing = on_existing
        if valid_only is not None:
            imported.valid_only = bool(valid_only)
        if send_welcome_emails is not None:
            imported.send_welcome_emails = bool(send_welcome_emails)
        imported.status = ClientImportStatus.IMPORTING if commit else ClientImportStatus.CHECKING
        imported.error = ""
        imported.task_id = start({"import_id": str(imported.pk), "commit": bool(commit)})
        imported.save()
    return imported
