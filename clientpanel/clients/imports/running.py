"""Running a check or a commit of an import: here and now (the command), or as the background task
of kind "clients.import". One transaction: a commit keeps everything or nothing (all or nothing by
default, or the valid rows only), a check rolls back whatever it wrote; either stores the counts,
the first rows, the first rejected rows' errors and the CSV of every rejected row."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor, staff_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.actor import Actor, acting_as
from clientpanel.core.csv_export import BOM
from clientpanel.core.errors import DomainError, NotFound, PermissionDenied, require
from clientpanel.core.events import publish

from .. import policies
from ..events import ImportCompleted
from ..models import ClientImport, ClientImportStatus, OnExisting
from . import storage
from .importer import Importer
from .selectors import own_import
from .storage import BUSY, STORAGE_DIR


class _RollBack(Exception):
    """Leaves the import's transaction without keeping anything (a check, or all or nothing)."""


def _import(imported: ClientImport, actor: Actor, *, commit: bool, progress: Callable | None,
            task_id: int | None) -> dict[str, Any]:
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    if imported.on_existing == OnExisting.UPDATE:
        require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    rejected_out = tempfile.TemporaryFile("w+b")  # noqa: SIM115 — closed below
    rejected_out.write(BOM)
    rejected_text = io.TextIOWrapper(rejected_out, encoding="utf-8", newline="")
    importer = Importer(imported, actor, commit=commit, progress=progress, rejected_out=rejected_text)
    refused = False
    outcome: dict[str, Any] = {}

    def finish() -> None:
        """Store the rejected rows' CSV and write the import's outcome. For a commit this runs
        inside the import's transaction, so what it says and what was written commit together
        (nothing can fail after the commit and call a written import "nothing kept")."""
        rejected_name = ""
        if importer.counts["rejected"]:
            rejected_text.flush()
            rejected_out.seek(0)
            rejected_name = storage.store(f"{STORAGE_DIR}/{imported.pk}-rejected.csv", rejected_out)
            if commit and not refused:  # stored before the commit: removed below if it rolls back
                outcome["stored_in_transaction"] = rejected_name
        counts = {key: importer.counts[key] for key in ("created", "updated", "skipped", "rejected")}
        counts["rows"] = imported.row_count
        counts["valid"] = counts["rows"] - counts["rejected"]
        if refused:  # all or nothing: nothing was written
            counts["created"] = counts["updated"] = 0
        if commit and refused:
            status = ClientImportStatus.REFUSED
        elif commit:
            status = ClientImportStatus.IMPORTED
        else:
            status = ClientImportStatus.CHECKED
        ClientImport.objects.filter(pk=imported.pk).update(
            status=status, counts=counts, preview=_without_nul(importer.preview),
            errors=_without_nul(importer.errors), rejected_name=rejected_name, finished_at=timezone.now(),
            error="", stored_name="" if status == ClientImportStatus.IMPORTED else imported.stored_name)
        outcome.update(status=status, counts=counts, rejected_name=rejected_name)

    try:
        if commit:
            text, rows = storage.records_of(imported)
            with text:
                importer.numbers_floor_from(rows)
        text, rows = storage.records_of(imported)
        with text:
            try:
                with transaction.atomic():
                    importer.run(rows, imported.row_count)
                    refused = commit and not imported.valid_only and importer.counts["rejected"] > 0
                    if not commit or refused:
                        raise _RollBack
                    counts = importer.counts
                    audit_record(action="client_import.commit", target=imported, changes={
                        "file": [None, imported.file_name],
                        **{key: [None, counts[key]] for key in ("created", "updated", "skipped", "rejected")}})
                    publish(ImportCompleted(import_id=imported.pk, task_id=task_id, created=counts["created"],
                                            updated=counts["updated"], skipped=counts["skipped"],
                                            rejected=counts["rejected"]))
                    finish()
            except _RollBack:
                finish()  # a check, or all or nothing refused: nothing was written
            except BaseException:
                storage.remove(outcome.get("stored_in_transaction", ""))  # the transaction that kept it is gone
                raise
    finally:
        rejected_text.close()
    status = outcome["status"]
    # After the commit only clean-up remains, and storage.remove never raises: the outcome stands.
    previous_rejected = imported.rejected_name
    if previous_rejected and previous_rejected != outcome["rejected_name"]:
        storage.remove(previous_rejected)
    if status == ClientImportStatus.IMPORTED:
        storage.remove(imported.stored_name)
    return {"import_id": str(imported.pk), "mode": "commit" if commit else "check", "status": status,
            "counts": outcome["counts"]}


def _without_nul(value: Any) -> Any:
    """A cell's NUL characters as U+FFFD in what the import keeps as JSON (PostgreSQL's jsonb
    refuses NUL; the row itself is rejected for it by the cleaning)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def client_import_run(*, actor: ActorLike, import_id, commit: bool, progress: Callable | None = None,
                      task_id: int | None = None) -> dict[str, Any]:
    """Check or commit an import here and now (the command; the background task below). Answers
    {"import_id", "mode", "status", "counts"}; the import keeps the preview and the errors. A
    failure of the whole file (it vanished, a race on an e-mail) marks the import FAILED and is
    raised."""
    actor = as_actor(actor)
    imported = own_import(actor, import_id)
    # What it says (the rejected rows' reasons on the wizard's pages and in the rejected rows' CSV,
    # why it failed) is read by the staff member who runs it: in its language, also from a task.
    with translation.override(getattr(actor.user, "language", None) or translation.get_language()):
        try:
            with acting_as(actor):
                return _import(imported, actor, commit=commit, progress=progress, task_id=task_id)
        except DomainError as error:
            ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.FAILED, error=error.message,
                                                               finished_at=timezone.now())
            raise
        except Exception:
            ClientImport.objects.filter(pk=imported.pk).update(
                status=ClientImportStatus.FAILED, finished_at=timezone.now(),
                error=_("The import stopped on an unexpected error; nothing of it was kept."))
            raise


def clients_import_run(*, progress, import_id: str, commit: bool) -> dict[str, Any]:
    """The background task of kind "clients.import" (automation/registry.py): a check or a commit,
    run as the staff member who started it — refused, and the import marked failed, when that
    staff member no longer exists or is no longer staff (never run as the system instead)."""
    imported = ClientImport.objects.select_related("created_by").filter(pk=import_id).first()
    if imported is None:
        raise NotFound(_("Import not found."))
    user = imported.created_by
    if user is None or not (user.is_staff and user.is_active):
        message = _("The staff member who started this import can no longer import clients; nothing was imported.")
        ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.FAILED, error=message,
                                                           finished_at=timezone.now())
        raise PermissionDenied(message)
    return client_import_run(actor=staff_actor(user), import_id=import_id, commit=commit, progress=progress,
                             task_id=getattr(progress, "task_id", None))


def clients_import_stalled(*, import_id: str, **_arguments: Any) -> None:
    """The task of an import stopped without finishing (its worker died; automation's stalled-task
    job): the import is no longer busy, so it can be checked or imported again, or discarded."""
    ClientImport.objects.filter(pk=import_id, status__in=BUSY).update(
        status=ClientImportStatus.FAILED, finished_at=timezone.now(),
        error=_("The import stopped without finishing (its worker was restarted); nothing of it was kept. "
                "Run it again."))
