"""Issued documents' PDFs, rendered once and kept (SPEC §7): an issued document never changes, so
neither does its PDF. Files live in the private "documents" storage (never served as static
files); the database keeps each file's name and SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict
from clientpanel.files.logos import home_company_logo_read

from .models import Document
from .pdf import document_pdf


class StoredPdfMismatch(Conflict):
    """A stored PDF no longer matches the SHA-256 recorded when it was issued: someone changed the
    file behind the application's back. It is not served; restore it from a backup."""

    code = "stored_pdf_mismatch"


def _storage():
    return storages["documents"]


def store_document_pdf(document: Document, *, at_issue: bool = True, finishing: bool = False) -> None:
    """Render the document's PDF and store it with its fingerprint. Runs in the issuing transaction
    (after the items exist), with the home company's logo as it is at that moment; and for a
    document issued before PDFs were kept, once on its first download, without a logo (today's logo
    was not the one of its day). A transaction that rolls back leaves an unreferenced file behind,
    never a document without its PDF."""
    logo = home_company_logo_read(document.home_company) if at_issue else None
    content = document_pdf(document, logo=logo)
    issued = document.issue_date
    name = _storage().save(f"{issued:%Y/%m}/{document.pk}.pdf", ContentFile(content))
    document.pdf_name, document.pdf_sha256 = name, hashlib.sha256(content).hexdigest()
    finished = {"finished": True} if finishing else {}
    document.finished = document.finished or finishing
    Document.objects.filter(pk=document.pk).update(pdf_name=name, pdf_sha256=document.pdf_sha256, **finished)


def stored_pdf(document: Document) -> bytes:
    """The PDF made when the document was issued, checked against its SHA-256."""
    if not document.pdf_name and document.number and not document.finished:
        # Issued a moment ago and not finished yet (services/issuing.py): finish it now.
        from .services.issuing import document_finish  # here: the services import this module

        document_finish(document)
    if not document.pdf_name:
        store_document_pdf(document, at_issue=False)
    try:
        with _storage().open(document.pdf_name, "rb") as handle:
            content = handle.read()
    except OSError:
        raise StoredPdfMismatch(_("The stored PDF of %(number)s is missing; restore the file from a backup.")
                                % {"number": document.number}) from None
    if hashlib.sha256(content).hexdigest() != document.pdf_sha256:
        raise StoredPdfMismatch(_("The stored PDF of %(number)s does not match the SHA-256 recorded at issue; "
                                  "restore the file from a backup.") % {"number": document.number})
    return content


def pdf_filename(document: Document) -> str:
    """A safe download name from the number ("FAKTURA/2026/11/1" → "FAKTURA-2026-11-1.pdf")."""
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in (document.number or str(document.pk)))
    return f"{name.strip('.') or document.pk}.pdf"


def documents_zip(documents) -> bytes:
    """A ZIP of the documents' stored PDFs, named by number."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            archive.writestr(pdf_filename(document), stored_pdf(document))
    return buffer.getvalue()
