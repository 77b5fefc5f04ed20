"""Where client files are kept: Django's "default" storage (MEDIA_ROOT under var/ by default, never
served as a URL; S3 through django-storages in docs/deploy.md). The stored name is ours —
client-files/<client id>/<file id> — so nothing of the uploaded name reaches the disk, and a file is
read back only after its size and SHA-256 match what was recorded at upload."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict, DomainError

from .models import ClientFile

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
# A download is checked before its first byte goes out: read into memory up to this size, beyond it
# into a temporary file, then served from there (one read from the storage, even from S3).
SPOOL_IN_MEMORY = 1024 * 1024


class FileNotStored(DomainError):
    """The storage refused the file (a full disk, S3 unreachable); nothing was kept."""

    code = "file_not_stored"
    status_code = 503


def stored_file_save(name: str, file: IO[bytes]) -> str:
    """Write the file under our name (answers the name the storage chose); FileNotStored, with what
    may have been written removed, when the storage refuses it."""
    try:
        return file_storage().save(name, file if isinstance(file, File) else File(file))
    except Exception as error:  # a full disk, S3 refusing: any backend's own errors
        logger.exception("Could not store %s", name)
        stored_file_remove(name)  # whatever part of it was written
        raise FileNotStored(_("The file could not be stored; nothing was saved. Try again, and tell the "
                              "administrator if it keeps failing.")) from error


def stored_file_remove(name: str) -> None:
    """Remove a stored file no row refers to. A failure leaves an unreferenced file behind (logged),
    never a row without its file."""
    try:
        file_storage().delete(name)
    except Exception:
        logger.exception("Could not remove the stored file %s", name)


class StoredFileUnavailable(Conflict):
    """The stored file is missing or no longer matches the size and SHA-256 recorded at upload:
    someone changed the storage behind the application's back. It is not served; restore it from a
    backup."""

    code = "stored_file_unavailable"


def file_storage() -> Storage:
    return storages["default"]


def storage_name_for(client_id, file_id) -> str:
    return f"client-files/{client_id}/{file_id}"


def client_file_read(client_file: ClientFile) -> IO[bytes]:
    """The stored content, checked against the recorded size and SHA-256, as a file positioned at
    its start (the caller closes it). StoredFileUnavailable when it is missing or differs."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 — handed to the caller
    digest, size = hashlib.sha256(), 0
    try:
        with file_storage().open(client_file.storage_name, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
    except OSError:
        spool.close()
        raise StoredFileUnavailable(_("The file %(name)s is missing from the storage; restore it from a backup.")
                                    % {"name": client_file.name}) from None
    if size != client_file.size or digest.hexdigest() != client_file.sha256:
        spool.close()
        raise StoredFileUnavailable(_("The stored file %(name)s no longer matches the one uploaded; restore it from "
                                      "a backup.") % {"name": client_file.name})
    spool.seek(0)
    return spool
