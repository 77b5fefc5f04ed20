"""What the document services share: the next document number of a home company's series (it
advances the counter row), the document's PDF stored once when it is issued with DocumentIssued
published, the row lock of a visible document, and the cleaning of amounts and short texts."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import Conflict, FieldErrors
from clientpanel.core.events import publish
from clientpanel.core.locks import lock_one
from clientpanel.core.numbering import format_number, sequence_next_dated
from clientpanel.core.text import clean_text
from clientpanel.tax.models import HomeCompany, ResetPeriod

from ..events import DocumentIssued
from ..models import Document, DocumentType
from ..pricing import clean_positive_amount  # noqa: F401 — the services import it from here
from ..selectors import documents_visible_to
from ..storage import store_document_pdf

logger = logging.getLogger(__name__)


class DocumentStateError(Conflict):
    code = "document_state"


# --- numbering -------------------------------------------------------------------------------

def _pattern_and_reset(company: HomeCompany, doc_type: str) -> tuple[str, str]:
    return {
        DocumentType.PROFORMA: (company.proforma_pattern, company.proforma_reset),
        DocumentType.INVOICE: (company.invoice_pattern, company.invoice_reset),
        DocumentType.CREDIT_NOTE: (company.credit_note_pattern, company.credit_note_reset),
    }[doc_type]


def document_number(*, company: HomeCompany, doc_type: str) -> tuple[str, dt.datetime]:
    """The next number of the company's series for this type, and the document's issue time.

    Both come from the counter row of the company, type and period, locked in the caller's
    transaction: the issue time is the moment the counter is held, so numbers are unique,
    gap-free and rise with issue times. Nobody chooses the date: a document is dated when it is
    issued. Periods and the date in the number are the company's own days (its time zone): a
    Warsaw invoice issued at 00:30 on the 1st belongs to the new month."""
    pattern, reset = _pattern_and_reset(company, doc_type)
    zone = company.zone

    def period_of(moment: dt.datetime) -> str:
        day = moment.astimezone(zone).date()
        return {ResetPeriod.NEVER: "", ResetPeriod.YEARLY: f"{day:%Y}"}.get(reset, f"{day:%Y-%m}")

    number, issued_at = sequence_next_dated(key=f"document:{company.pk}:{doc_type}", period_of=period_of)
    return format_number(pattern, number, issued_at.astimezone(zone).date()), issued_at


# --- issuing ---------------------------------------------------------------------------------

def document_derived(source: Document, *, actor: ActorLike, doc_type: str, status: str,
                     paid_date: dt.datetime | None = None, **amounts) -> Document:
    """A new document issued from another (a proforma's final invoice, an invoice's credit note):
    numbered now (document_number) and dated by that moment (paid then, unless paid_date says
    otherwise), with the source's client, home company, currency, language, snapshots, addresses
    and reverse charge; amounts: its net, tax, total and the like."""
    number, issued_at = document_number(company=source.home_company, doc_type=doc_type)
    return Document.objects.create(
        client_id=source.client_id, home_company_id=source.home_company_id, type=doc_type, status=status,
        number=number, currency=source.currency, language=source.language, issue_date=issued_at,
        due_date=issued_at, paid_date=paid_date or issued_at, reverse_charge=source.reverse_charge,
        client_snapshot=source.client_snapshot, company_snapshot=source.company_snapshot,
        billing_address=source.billing_address, shipping_address=source.shipping_address,
        created_by_id=as_actor(actor).user_id, **amounts)


_issuing = threading.local()


@contextlib.contextmanager
def issuing() -> Iterator[None]:
    """The transaction of a service that issues documents. When it is the outermost transaction,
    what follows numbering — each document's PDF, its e-invoice and DocumentIssued (e-mail,
    webhooks) — comes after it commits, in a short transaction of its own per document
    (document_finish), so the series' counter row is locked only from numbering to that commit; a
    crash in between leaves them to the finish_documents job. Inside a caller's transaction all of
    it happens in that transaction, which must commit it together."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            yield
        return
    documents: list[Document] = []
    _issuing.documents = documents  # kept here too: the commit's own hooks may issue at the top level
    try:
        with transaction.atomic():
            yield
    finally:
        _issuing.documents = None
    for document in documents:
        try:
            document_finish(document)
        except Exception:  # the document is issued: its finishing is retried, never the caller's error
            logger.exception("Finishing document %s failed; the finish_documents job retries it", document.number)


def document_issued(document: Document) -> None:
    """The document is numbered and written: finish it in this transaction, or after the issuing
    scope commits (issuing)."""
    later = getattr(_issuing, "documents", None)
    if later is not None:
        later.append(document)
    else:  # written in this very transaction: nobody else can be finishing it
        _finish(document, claim=False)


def document_finish(document: Document) -> bool:
    """Finish an issued document once: its PDF rendered and stored with its SHA-256, and
    DocumentIssued published (its e-invoice, e-mail and webhooks follow from it), in one
    transaction. Answers False when it was finished already (by another process)."""
    with transaction.atomic():
        return _finish(document)


def _finish(document: Document, *, claim: bool = True) -> bool:
    # The row lock makes a second finisher (the job, a download) wait, then find it finished.
    if claim:
        stored = (Document.objects.select_for_update().filter(pk=document.pk, finished=False)
                  .values_list("pdf_sha256", flat=True).first())
        if stored is None:
            document.refresh_from_db(fields=["pdf_name", "pdf_sha256", "finished"])
            return False
        if stored:  # its PDF is there: issued by a release that finished in the issuing transaction
            Document.objects.filter(pk=document.pk).update(finished=True)
            document.refresh_from_db(fields=["pdf_name", "pdf_sha256", "finished"])
            return True
    store_document_pdf(document, finishing=True)
    publish(DocumentIssued(document_id=document.pk, client_id=document.client_id, type=document.type,
                           number=document.number, currency=document.currency, total=document.total))
    return True


FINISH_AFTER = dt.timedelta(minutes=1)


def job_finish_documents(*, now: dt.datetime) -> dict:
    """Finish documents whose issuing request stopped between its commit and their finishing step
    (issuing), a minute after they were issued."""
    finished = failed = 0
    candidates = Document.objects.filter(finished=False, number__isnull=False, created_at__lt=now - FINISH_AFTER)
    for document in candidates.order_by("created_at")[:500]:
        try:
            finished += document_finish(document)
        except Exception:  # one document that cannot be finished must not hold back the others
            failed += 1
            logger.exception("Finishing document %s failed; it is tried again on the next pass", document.number)
    return {"finished": finished, "failed": failed}


def tax_lines_json(lines) -> list[dict[str, str]]:
    return [{"name": t.name, "rate": str(t.rate), "amount": str(t.amount)} for t in lines]


def locked_document(actor: ActorLike, document_id) -> Document:
    return lock_one(documents_visible_to(actor), _("Document not found."), pk=document_id)


# --- input -----------------------------------------------------------------------------------

def clean_short_text(value: object, limit: int, field: str, errors: FieldErrors) -> str:
    return "" if value is None else clean_text(value, field, errors, limit=limit, single_line=True)
