"""Recording the payments of a statement's matched and chosen lines through invoicing's payment
service — each line in its own transaction, so one that fails keeps its error and the others are
recorded — directly or as a background task."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike
from clientpanel.clients.services.bulk import bulk_actor
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.core.locks import lock_one
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.payment_methods import BANK_TRANSFER, method_columns
from clientpanel.invoicing.services import proforma_pay

from ..models import BankLineStatus, BankStatementLine
from ..models.bank import RECORDABLE
from .policies import require_bank_statement_access
from .selectors import bank_statement_get

PAYMENT_METHOD = method_columns(BANK_TRANSFER)  # "bank transfer", shown in the reader's language
RECORD_KIND = "payments.bank_record"  # the background task's kind


@dataclass(frozen=True)
class RecordOutcome:
    """How many lines bank_statement_record recorded, and how many kept an error."""

    recorded: int
    failed: int


def _zone_of(document: Document) -> dt.tzinfo:
    """The zone the proforma is dated in (its company's at issue, kept on it): the bank account is
    the company's, so its statement's days are that zone's days."""
    try:
        return zoneinfo.ZoneInfo(str(document.company_snapshot.get("time_zone") or settings.TIME_ZONE))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def paid_at_of(line: BankStatementLine, document: Document, now: dt.datetime | None = None) -> dt.datetime:
    """When the money arrived: the booking date at noon in the proforma's home company's time zone
    (the bank account is the company's) — a statement says the day, not the hour — moved within that
    day to after the proforma's issue and to no later than now (a payment cannot predate its
    proforma or be in the future)."""
    now = now or timezone.now()
    zone = _zone_of(document)
    noon = dt.datetime.combine(line.booked_on, dt.time(12), tzinfo=zone)
    if document.issue_date and noon < document.issue_date and \
            timezone.localtime(document.issue_date, zone).date() == line.booked_on:
        noon = document.issue_date
    return min(noon, now)


def transaction_id_of(line: BankStatementLine) -> str:
    """The payment's transaction ID: the bank's reference — so that a payment staff recorded by hand
    under it is recognised as this booking — unless another line of the client's recorded a payment
    under it already: a bank reuses a reference (it names a booking only with its day and amount, as
    the fingerprint does), and that is another booking, recorded under its own fingerprint."""
    reference = line.bank_reference
    if reference and not BankStatementLine.objects.filter(
            payment__client_id=line.document.client_id, payment__transaction_id=reference).exclude(pk=line.pk).exists():
        return reference
    return line.fingerprint


def _error_in_words(error: DomainError) -> str:
    details = [message for messages in error.fields.values() for message in messages if message != error.message]
    return " ".join([error.message, *details])[:500]


def bank_statement_record(*, actor: ActorLike, statement_id: object,
                          progress: Callable[..., None] | None = None) -> RecordOutcome:
    """Record the payment of every matched and chosen line not recorded yet, through
    invoicing.proforma_pay (which settles the proforma and issues its final invoice) with the bank's
    reference — or the line's fingerprint (transaction_id_of) — as the transaction ID, so a line is paid once however
    often this runs, even at the same time. Each line is its own transaction: one that fails (the
    proforma was paid meanwhile, an overpayment) keeps its error in words; the others are recorded."""
    require_bank_statement_access(actor)
    statement = bank_statement_get(actor=actor, statement_id=statement_id)
    line_ids = list(statement.lines.filter(status__in=RECORDABLE, payment__isnull=True).order_by("position")
                    .values_list("pk", flat=True))
    recorded = failed = 0
    for done, line_id in enumerate(line_ids):
        if progress is not None:
            progress(done, len(line_ids))
        with transaction.atomic():
            try:
                line = lock_one(BankStatementLine.objects.select_related("document"), "", pk=line_id)
            except NotFound:
                continue
            if line.status not in RECORDABLE or line.payment_id:
                continue  # recorded or changed by someone else meanwhile
            try:
                with transaction.atomic():
                    outcome = proforma_pay(actor=actor, document_id=line.document_id, amount=line.amount,
                                           paid_at=paid_at_of(line, line.document), **PAYMENT_METHOD,
                                           transaction_id=transaction_id_of(line))
                    line.status, line.payment, line.error = BankLineStatus.RECORDED, outcome.payment, ""
                    line.recorded_at = timezone.now()
                    line.save(update_fields=["status", "payment", "error", "recorded_at"])
            except DomainError as error:
                line.error = _error_in_words(error)
                line.save(update_fields=["error"])
                failed += 1
            except IntegrityError:
                line.error = _("This payment is recorded on another line already.")
                line.save(update_fields=["error"])
                failed += 1
            else:
                recorded += 1
    if progress is not None:  # each line reported before its turn: the last figures say all are done
        progress(len(line_ids), len(line_ids))
    return RecordOutcome(recorded=recorded, failed=failed)


def bank_statement_record_run(*, progress: Callable[..., None], actor_id: str, statement_id: str) -> dict:
    """Background task "payments.bank_record": record the statement's matched and chosen lines."""
    outcome = bank_statement_record(actor=bulk_actor(actor_id), statement_id=statement_id, progress=progress)
    return {"statement_id": str(statement_id), "recorded": outcome.recorded, "failed": outcome.failed}
