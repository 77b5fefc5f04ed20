"""Writes of client files: upload and delete. The database row and the stored file agree whatever
fails: an upload writes the file first (no lock held while bytes move), then the row and its audit
event in one transaction, and removes the file when that transaction does not commit; a deletion
deletes the row (audited) and removes the file only once that is committed."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, deleted
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import FieldErrors, NotFound, require
from clientpanel.core.ids import new_id
from clientpanel.core.locks import lock_one
from clientpanel.core.text import clean_text

from . import policies
from .detection import Refused, detect
from .models import ClientFile
from .names import MAX_NAME_LENGTH, name_from_upload, size_text
from .selectors import client_files_visible_to
from .storage import CHUNK, storage_name_for, stored_file_remove, stored_file_save

MAX_NOTE_LENGTH = 2000


def max_file_bytes() -> int:
    return int(settings.CLIENTPANEL_FILE_MAX_BYTES)


def too_large_message() -> str:
    """The file field's error for a file over the limit (the upload view says it too, when it
    stopped reading such a file before it reached the service)."""
    return _("The file is larger than %(limit)s; upload a smaller one.") % {"limit": size_text(max_file_bytes())}


def _measure(file: IO[bytes], limit: int) -> tuple[int, str]:
    """The size and SHA-256 of the content, reading at most one chunk past the limit."""
    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
    file.seek(0)
    return size, digest.hexdigest()


def client_file_upload(*, actor: ActorLike, client_id, file: IO[bytes] | None, name: str = "", note: str = "",
                       visible_in_portal: bool = False) -> ClientFile:
    """Keep a file for a client. Refuses, with field errors and nothing written, an empty file, one
    over CLIENTPANEL_FILE_MAX_BYTES and one whose content is not of an allowed kind (detection.py:
    the content decides, not the name). The shown name defaults to the uploaded file's own name
    without its directories; the stored name is ours. Guarantees a row exactly when its file is
    stored: the file is written first and removed again if the row's transaction fails."""
    actor = as_actor(actor)
    require(policies.can_manage_client_files(actor), _("You are not allowed to add or delete client files."))
    try:
        known = clients_visible_to(actor).filter(pk=client_id).exists()
    except (ValueError, TypeError, ValidationError):  # a malformed id
        known = False
    if not known:
        raise NotFound(_("Client not found."))
    errors = FieldErrors()
    if not isinstance(name, str):
        name = ""
    if not name.strip() and file is not None:
        name = name_from_upload(getattr(file, "name", ""))
    shown_name = clean_text(name, "name", errors, limit=MAX_NAME_LENGTH, single_line=True)
    if not shown_name and "name" not in errors.fields:
        errors.add("name", _("Give the file a name."))
    cleaned_note = clean_text(note if note is not None else "", "note", errors, limit=MAX_NOTE_LENGTH)
    if not isinstance(visible_in_portal, bool):
        errors.add("visible_in_portal", _("Must be true or false."))
    size, sha256, kind = 0, "", None
    if file is None:
        errors.add("file", _("Choose a file to upload."))
    else:
        size, sha256 = _measure(file, max_file_bytes())
        if size == 0:
            errors.add("file", _("The file is empty."))
        elif size > max_file_bytes():
            errors.add("file", too_large_message())
        else:
            try:
                kind = detect(file)
            except Refused as refusal:
                errors.add("file", str(refusal))
    errors.raise_if_any()

    file_id = new_id()
    stored = stored_file_save(storage_name_for(client_id, file_id), file)
    try:
        with transaction.atomic():
            client = lock_one(clients_visible_to(actor), _("Client not found."), pk=client_id)
            row = ClientFile.objects.create(
                id=file_id, client=client, name=shown_name, note=cleaned_note, visible_in_portal=visible_in_portal,
                storage_name=stored, content_type=kind.content_type, size=size, sha256=sha256,
                uploaded_by=actor.user if actor.is_staff_side else None)
            audit_record(action="client_file.create", target=row, client_id=client.pk, changes=created(row))
    except BaseException:
        stored_file_remove(stored)
        raise
    return row


def client_file_delete(*, actor: ActorLike, client_id, file_id) -> None:
    """Delete a client's file: the row and its audit event in one transaction, the stored file once
    that is committed (a rollback keeps both). Another client's file, or one out of the actor's
    scope, is NotFound."""
    actor = as_actor(actor)
    require(policies.can_manage_client_files(actor), _("You are not allowed to add or delete client files."))
    with transaction.atomic():
        row = lock_one(client_files_visible_to(actor, client_id), _("File not found."), pk=file_id)
        audit_record(action="client_file.delete", target=row, client_id=row.client_id, changes=deleted(row))
        row.delete()
        transaction.on_commit(partial(stored_file_remove, row.storage_name))
