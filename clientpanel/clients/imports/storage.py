"""Where an import's files are kept: the upload (until it is committed, or for
CLIENTPANEL_IMPORT_KEEP_DAYS) and the CSV of its rejected rows, in the default storage under our own
names; the size limit of an upload; the job that removes old files."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict, DomainError, NotFound

from ..models import ClientImport, ClientImportStatus
from . import reading

logger = logging.getLogger(__name__)

STORAGE_DIR = "client-imports"
BUSY = (ClientImportStatus.CHECKING, ClientImportStatus.IMPORTING)


def max_import_bytes() -> int:
    return int(settings.CLIENTPANEL_IMPORT_MAX_BYTES)


def too_large_message() -> str:
    megabytes = max_import_bytes() / (1024 * 1024)
    return _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": f"{megabytes:g}"}


def storage():
    return storages["default"]


def store(name: str, content: IO[bytes]) -> str:
    try:
        return storage().save(name, content if isinstance(content, File) else File(content))
    except Exception as error:  # a full disk, S3 refusing: any backend's own errors
        logger.exception("Could not store %s", name)
        remove(name)
        raise DomainError(_("The file could not be stored; nothing was saved. Try again, and tell the "
                            "administrator if it keeps failing."), code="file_not_stored") from error


def remove(name: str) -> None:
    if not name:
        return
    try:
        storage().delete(name)
    except Exception:
        logger.exception("Could not remove the stored file %s", name)


def records_of(imported: ClientImport) -> tuple[IO, Iterator[tuple[int, list[str]]]]:
    """The stored upload opened as text, and its rows (line number, cells)."""
    try:
        raw = storage().open(imported.stored_name, "rb")
    except OSError:
        raise Conflict(_("The uploaded file is missing from the storage; upload it again."),
                       code="import_file_gone") from None
    text, rows = reading.open_records(raw, imported.delimiter)
    return text, rows


def job_client_imports_clean_up(*, now: dt.datetime) -> dict:
    """Remove the files of imports older than CLIENTPANEL_IMPORT_KEEP_DAYS (the upload not
    committed, the CSV of rejected rows); the import's counts and errors stay."""
    cutoff = now - dt.timedelta(days=int(settings.CLIENTPANEL_IMPORT_KEEP_DAYS))
    purged = 0
    old = ClientImport.objects.filter(created_at__lt=cutoff).exclude(stored_name="", rejected_name="").exclude(
        status__in=BUSY)
    for imported in old.iterator():
        remove(imported.stored_name)
        remove(imported.rejected_name)
        ClientImport.objects.filter(pk=imported.pk).update(stored_name="", rejected_name="")
        purged += 1
    return {"purged": purged}


def rejected_rows_open(imported: ClientImport) -> IO[bytes]:
    """The CSV of an import's rejected rows (with their errors), opened for reading."""
    if not imported.rejected_name:
        raise NotFound(_("This import has no rejected rows to download (or they were removed after %(days)d days).")
                       % {"days": settings.CLIENTPANEL_IMPORT_KEEP_DAYS})
    try:
        return storage().open(imported.rejected_name, "rb")
    except OSError:
        raise NotFound(_("The file of rejected rows is missing from the storage.")) from None
