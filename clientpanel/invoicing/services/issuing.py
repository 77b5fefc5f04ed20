"""Issuing: a document numbered and written (document_derived for one issued from another), then
finished — its PDF stored once and DocumentIssued published — in the issuing transaction or in a
short one of its own right after it commits (issuing), or later by the finish_documents job."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator

from django.db import transaction

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.events import publish

from ..events import DocumentIssued
from ..models import Document
from ..storage import store_document_pdf
from .numbering import document_number, issue_zone

logger = logging.getLogger(__name__)


def document_derived(source: Document, *, actor: ActorLike, doc_type: str, status: str,
                     paid_date: dt.datetime | None = None, **amounts) -> Document:
    """A new document issued from another (a proforma's final invoice, an invoice's credit note):
    numbered now (document_number) and dated by that moment (paid then, unless paid_date says
    otherwise), with the source's client, home company, currency, language, snapshots, addresses,
    reverse charge and client group (the sale's: a credit note comes off the group that sold), and
    why it charges no VAT with the exemption's basis as the source recorded them (never today's
    settings); amounts: its net, tax, total and the like. Its snapshot's time zone is the one it is
    numbered and dated in (issue_zone: the company's now, not the source's), so the day printed on
    it and its number's period agree even when the zone changed between."""
    company = source.home_company
    number, issued_at = document_number(company=company, doc_type=doc_type)
    snapshot = {**source.company_snapshot, "time_zone": str(issue_zone(company))}
    return Document.objects.create(
        client_id=source.client_id, home_company_id=source.home_company_id, type=doc_type, status=status,
        number=number, currency=source.currency, language=source.language, issue_date=issued_at,
        due_date=issued_at, paid_date=paid_date or issued_at, reverse_charge=source.reverse_charge,
        no_vat_reason=source.no_vat_reason, vat_exemption_basis=source.vat_exemption_basis,
        client_snapshot=source.client_snapshot, client_group_id=source.client_group_id, company_snapshot=snapshot,
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
