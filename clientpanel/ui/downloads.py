"""Files the page-rendering interfaces hand out (document PDFs, ZIPs, client files, CSV exports): always as an
attachment, and when the file cannot be given (a DomainError: a stored PDF or client file that no
longer matches its SHA-256), the reason on the page the user came from instead of an error page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from clientpanel.core.csv_export import csv_rows
from clientpanel.core.errors import DomainError
from clientpanel.einvoices.models import EInvoice
from clientpanel.einvoices.selectors import einvoice_filename, einvoice_media_type
from clientpanel.einvoices.storage import einvoice_content
from clientpanel.files.models import ClientFile
from clientpanel.files.names import download_name
from clientpanel.files.storage import client_file_read
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.storage import pdf_filename, stored_pdf

# A client file is never rendered by the browser, whatever it holds: an attachment, its detected
# type only (nosniff), and a policy that would run nothing even if it were opened in a tab.
CLIENT_FILE_POLICY = "default-src 'none'; sandbox"


def attachment(request: HttpRequest, make_file: Callable[[], bytes], *, content_type: str, filename: str,
               back_to: str) -> HttpResponse:
    try:
        content = make_file()
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back_to)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def document_pdf_attachment(request: HttpRequest, document: Document, *, back_to: str) -> HttpResponse:
    """The PDF stored when the document was issued (never rendered anew), for a view that found the
    document through its selectors; a stored PDF that no longer matches is the reason on back_to."""
    return attachment(request, lambda: stored_pdf(document), content_type="application/pdf",
                      filename=pdf_filename(document), back_to=back_to)


def einvoice_attachment(request: HttpRequest, einvoice: EInvoice, document: Document, *,
                        back_to: str) -> HttpResponse:
    """The e-invoice made when the document was issued (checked against its SHA-256), for a view
    that found the document through its selectors."""
    return attachment(request, lambda: einvoice_content(einvoice), content_type=einvoice_media_type(einvoice),
                      filename=einvoice_filename(einvoice, document), back_to=back_to)


def client_file_attachment(request: HttpRequest, client_file: ClientFile, *, back_to: str) -> HttpResponse:
    """A client file (clientpanel.files) for a download view that found it through the files
    selectors (client_file_get), which decide who may have it — staff panel and portal alike.
    Checked against its recorded size and SHA-256 first; a missing or changed file is the reason
    on back_to. Served as an attachment under a safe name (files.names.download_name), with the
    type detected at upload, nosniff and a sandboxing policy: an uploaded file never runs in our
    origin."""
    try:
        content = client_file_read(client_file)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back_to)
    response = FileResponse(content, as_attachment=True, content_type=client_file.content_type,
                            filename=download_name(client_file.name, client_file.content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CLIENT_FILE_POLICY
    patch_cache_control(response, private=True, no_store=True)
    return response


def csv_attachment(header: Iterable[object], rows: Iterable[Iterable[object]], *,
                   filename: str) -> StreamingHttpResponse:
    """A CSV export (issue 13), streamed: `rows` is read one row at a time while the response is
    written (give it a queryset's .iterator()), so memory stays flat however many rows there are.
    UTF-8 with a BOM, cells through core.csv_export.safe_cell (formulas quoted, amounts exact).
    The language and time zone of the request are kept for the rows, which are written after
    the view has returned."""
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def lines() -> Iterator[bytes]:
        with translation.override(language), timezone.override(zone):
            yield from csv_rows(header, rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
