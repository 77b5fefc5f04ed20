"""Where e-invoice files are kept: beside the documents' PDFs, in the private "documents" storage
(never served as static files), with the SHA-256 of each recorded when it was made — the file
written once when an e-invoice is made, and read back (with KSeF's receipt) checked against it."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict, NotFound
from clientpanel.invoicing.models import Document

from .exporters import get_exporter
from .models import EInvoice, EInvoiceStatus

log = logging.getLogger(__name__)


def _storage():
    return storages["documents"]


def store_einvoice_file(document: Document, format_key: str, content: bytes) -> str:
    """Store the document's e-invoice file in the format's extension, under the month it was
    issued; answers the name it was stored under."""
    extension = get_exporter(format_key).extension
    issued = document.issue_date or timezone.now()
    return _storage().save(f"{issued:%Y/%m}/{document.pk}.{format_key}.{extension}", ContentFile(content))


class StoredEInvoiceMismatch(Conflict):
    code = "stored_einvoice_mismatch"


def _read_checked(name: str, sha256: str, mismatch: str) -> bytes:
    """A stored file, refused in words when it is gone or no longer matches its SHA-256."""
    try:
        with _storage().open(name, "rb") as handle:
            content = handle.read()
    except OSError:
        log.exception("stored e-invoice file %s cannot be read", name)
        raise StoredEInvoiceMismatch(_("The stored e-invoice file is missing; restore it from a backup.")) from None
    if hashlib.sha256(content).hexdigest() != sha256:
        raise StoredEInvoiceMismatch(mismatch)
    return content


def einvoice_content(einvoice: EInvoice) -> bytes:
    """The file made at issue, checked against its SHA-256."""
    if einvoice.status == EInvoiceStatus.FAILED or not einvoice.file_name:
        raise NotFound(_("This e-invoice could not be made: %(reason)s") % {"reason": einvoice.reader_error})
    return _read_checked(einvoice.file_name, einvoice.sha256, _(
        "The stored e-invoice no longer matches the SHA-256 recorded when it was made; restore the file from a "
        "backup."))


def einvoice_upo_content(einvoice: EInvoice) -> bytes:
    """KSeF's receipt (UPO) kept when the file was accepted, checked against its SHA-256."""
    if not einvoice.upo_name:
        raise NotFound(_("KSeF has given no receipt for this e-invoice yet."))
    return _read_checked(einvoice.upo_name, einvoice.upo_sha256, _(
        "The stored KSeF receipt no longer matches the SHA-256 recorded when it was kept; restore the file from a "
        "backup."))
