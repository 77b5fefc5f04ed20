"""E-invoices in the REST API (issue 16): a document's structured file, as made at issue, and what
became of it (format, status, KSeF number, the reason it could not be made)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import CLIENTS_READ
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.invoicing import selectors as document_selectors

from .exporters import exporter_choices
from .models import EInvoice
from .reasons import code_of
from .rules import einvoice_makeable
from .selectors import einvoice_filename, einvoice_media_type, einvoice_of
from .storage import einvoice_content

router = Router(tags=["e-invoices"], auth=scoped(CLIENTS_READ))  # every operation: clients:read

XML_RESPONSE = {"responses": {200: {"description": "The e-invoice made when the document was issued", "content": {
    "application/xml": {"schema": {"type": "string", "format": "binary"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


class EInvoiceOut(Schema):
    format: str
    status: str  # MADE, FAILED, ACCEPTED
    sha256: str | None
    ksef_number: str | None
    error: str | None  # as stored: English since error_code was added; before, the language of whoever caused it
    # The system's reason as a code (reason_wording.py; "received": words from outside, as KSeF
    # sent them); None without one, or for an older reason not recognised.
    error_code: str | None
    readable_error: str | None  # the error in the request's language (Accept-Language)
    accepted_at: dt.datetime | None


def _einvoice(request, document_id: UUID) -> tuple[EInvoice, object]:
    document = document_selectors.document_get(actor=api_actor(request), document_id=document_id)
    einvoice = einvoice_of(document)
    if einvoice is None:
        # Why, as the document's page in the staff panel says it (rules.py): never "its company issues
        # none" for a KSeF company's consumer invoice.
        raise NotFound(_("This document has no e-invoice. %(reason)s") % {
            "reason": einvoice_makeable(document, einvoice).reason})
    return einvoice, document


def _format_asked(value: str) -> str:
    """The `format` parameter as an exporter's key ("" when not given), or 422 naming the parameter
    and the formats there are — before the document is looked up, as any bad parameter."""
    key = (value or "").strip().lower()
    formats = [choice for choice, _title in exporter_choices()]
    if key and key not in formats:
        raise ValidationFailed(_("Unknown e-invoice format %(format)s in the parameter format.") % {
            "format": repr(value[:40])}, fields={"format": [_("Use one of %(choices)s.") % {
                "choices": ", ".join(formats)}]})
    return key


@router.get("/invoices/{document_id}/einvoice", response=EInvoiceOut, summary="A document's e-invoice: its status")
def get_einvoice(request, document_id: UUID):
    einvoice, _document = _einvoice(request, document_id)
    return {"format": einvoice.format, "status": einvoice.status, "sha256": einvoice.sha256 or None,
            "ksef_number": einvoice.ksef_number or None, "error": einvoice.error or None,
            "error_code": code_of(einvoice.error, einvoice.error_code), "readable_error": einvoice.reader_error or None,
            "accepted_at": einvoice.accepted_at}


@router.get("/invoices/{document_id}/xml", summary="A document's e-invoice file (KSeF FA(3), UBL, CII or Factur-X)",
            openapi_extra=XML_RESPONSE)
def get_einvoice_file(request, document_id: UUID, format: str = Query(
        "", description="Optional: the format expected, as the document's e-invoice names it "
        "(`format` of GET /invoices/{document_id}/einvoice): one of ksef_fa3, ubl, cii, facturx. Another "
        "format answers 404 naming the document's; a value that names no format answers 422.")):
    """`format` (optional) names the format expected; a document has the one its home company
    issued it in, and asking for another answers 404 naming it. A value that is no format at all is
    the request's mistake, not the document's: 422 naming the parameter and the formats."""
    format = _format_asked(format)
    einvoice, document = _einvoice(request, document_id)
    if format and format != einvoice.format:
        raise NotFound(_("This document's e-invoice is in the format %(format)s.") % {"format": einvoice.format})
    response = HttpResponse(einvoice_content(einvoice), content_type=einvoice_media_type(einvoice))
    response["Content-Disposition"] = f'attachment; filename="{einvoice_filename(einvoice, document)}"'
    response["X-Content-SHA256"] = einvoice.sha256
    return response
