"""Writes of bank statements: the upload (read, matched and stored in one transaction, or refused
whole), staff's choice of a proforma for a line or its dismissal, and recording the payments of the
matched and chosen lines through invoicing's payment service — each line in its own transaction,
so one that fails keeps its error and the others are recorded."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.services.bulk import bulk_actor
from clientpanel.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotFound,
    ValidationFailed,
    require,
)
from clientpanel.core.locks import lock_one
from clientpanel.core.text import clean_text
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_pay
from clientpanel.tax.models import HomeCompany

from ..models import BankLineStatus, BankStatement, BankStatementLine
from ..models.bank import RECORDABLE
from . import matching, reading
from .policies import can_import_bank_statements
from .selectors import bank_statement_get

log = logging.getLogger(__name__)

PAYMENT_METHOD = "bank transfer"
UPLOAD_KIND, RECORD_KIND = "payments.bank_upload", "payments.bank_record"  # background task kinds
_FINGERPRINT_CHUNK = 1000


def _require_access(actor: ActorLike) -> None:
    require(can_import_bank_statements(as_actor(actor)),
            _("You are not allowed to import bank statements: it takes the Finance area and every client."))


def bank_statement_options_clean(home_company_id, currency: object) -> tuple[HomeCompany | None, str]:
    errors = FieldErrors()
    company = None
    if home_company_id not in (None, ""):
        try:
            company = HomeCompany.objects.get(pk=home_company_id)
        except (HomeCompany.DoesNotExist, ValueError, TypeError):
            errors.add("home_company", _("Choose a home company from the list."))
    code = str(currency or "").strip().upper()
    if code and not (len(code) == 3 and code.isalpha() and code.isascii()):
        errors.add("currency", _("Enter a currency code such as PLN or EUR."))
    errors.raise_if_any()
    return company, code


def _stored_fingerprints(fingerprints: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(fingerprints), _FINGERPRINT_CHUNK):
        stored.update(BankStatementLine.objects.filter(
            fingerprint__in=fingerprints[start:start + _FINGERPRINT_CHUNK]).values_list("fingerprint", flat=True))
    return stored


def bank_statement_upload(*, actor: ActorLike, data: bytes, name: object, home_company_id=None,
                          currency: object = "", progress: Callable[..., None] | None = None) -> BankStatement:
    """Read a statement file, match its incoming transfers to proformas and store its lines — all or
    nothing: a file that cannot be read whole writes nothing. A booking stored before (the same
    fingerprint, from this file or an earlier one) is not stored again, so it can be recorded only
    once; a file holding nothing new is refused. home_company_id: whose account it is (its
    proformas and numbering pattern; none: every home company's); currency: the statement's
    currency when the file has no currency column."""
    _require_access(actor)
    company, currency = bank_statement_options_clean(home_company_id, currency)
    name_errors = FieldErrors()  # a name we cannot show is replaced, not refused: the content matters
    file_name = clean_text(str(name or "")[-255:], "file", name_errors, limit=255, single_line=True)
    file_name = "statement.csv" if name_errors or not file_name else file_name
    statement_file = reading.read_statement(data, currency=currency)
    rows, fingerprints = statement_file.rows, reading.fingerprints(statement_file.rows)
    stored = _stored_fingerprints(fingerprints)
    new, seen = [], set(stored)
    for row, fingerprint in zip(rows, fingerprints, strict=True):
        if fingerprint not in seen:
            seen.add(fingerprint)
            new.append((row, fingerprint))
    if not new:
        raise ValidationFailed(_("Every booking in this file was imported before; nothing new was stored."),
                               fields={"file": [_("Every booking in this file was imported before.")]})
    companies = [company] if company else list(HomeCompany.objects.all())
    numbers = [matching.proforma_numbers(row.title, companies) if row.amount > 0 else set() for row, _f in new]
    named = matching.proformas_named(set().union(*numbers))
    if progress is not None:
        progress(len(rows) - len(new), len(rows))
    user = as_actor(actor).user
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                uploaded_by=user if getattr(user, "pk", None) else None,
                uploaded_by_label=as_actor(actor).label[:300], file_name=file_name, home_company=company,
                line_count=len(new), duplicate_count=len(rows) - len(new),
                outgoing_count=sum(1 for row, _f in new if row.amount < 0))
            lines = []
            for (row, fingerprint), row_numbers in zip(new, numbers, strict=True):
                proposal = matching.propose(amount=row.amount, currency=row.currency, numbers=row_numbers, named=named)
                lines.append(BankStatementLine(
                    statement=statement, position=row.line, booked_on=row.booked_on, amount=row.amount,
                    currency=row.currency, title=row.title, counterparty_name=row.counterparty_name,
                    counterparty_account=row.counterparty_account, bank_reference=row.bank_reference,
                    fingerprint=fingerprint, status=proposal.status, document=proposal.document,
                    note=proposal.note[:500]))
            for start in range(0, len(lines), 2000):
                BankStatementLine.objects.bulk_create(lines[start:start + 2000])
                if progress is not None:
                    progress(len(rows) - len(new) + min(start + 2000, len(lines)), len(rows))
            audit_record(action="bank_statement.upload", target=statement, changes={
                "lines": [None, len(new)], "imported_before": [None, len(rows) - len(new)]})
    except IntegrityError:
        # Another upload stored some of these bookings between our check and our insert.
        raise Conflict(_("The same bookings were being imported at this moment by another upload; upload the file "
                         "again to import what is still new.")) from None
    return statement


def _locked_line(actor: ActorLike, statement_id, line_id) -> BankStatementLine:
    statement = bank_statement_get(actor=actor, statement_id=statement_id)
    return lock_one(BankStatementLine.objects.filter(statement=statement), _("No such line on this statement."),
                    pk=line_id)


def _changeable(line: BankStatementLine) -> None:
    if line.status == BankLineStatus.RECORDED:
        raise Conflict(_("This line's payment is recorded already."))
    if line.amount < 0:
        raise Conflict(_("An outgoing transfer pays no proforma."))


def _proforma_for(line: BankStatementLine, *, document_id=None, number: object = "") -> Document:
    """The proforma staff chose for the line, by id or by number (as the title would name it): a
    PROFORMA still UNPAID, in the line's currency, of the statement's home company if it has one."""
    proformas = Document.objects.filter(type=DocumentType.PROFORMA).select_related("home_company")
    company = line.statement.home_company
    if company is not None:
        proformas = proformas.filter(home_company=company)
    if document_id:
        try:
            found = list(proformas.filter(pk=document_id))
        except (ValueError, TypeError, ValidationError):  # a malformed UUID
            found = []
        text = str(document_id)
    else:
        text = " ".join(str(number or "").split())[:100]
        if not text:
            raise ValidationFailed(_("Enter the number of the proforma paid."),
                                   fields={"number": [_("Enter the number of the proforma paid.")]})
        companies = [company] if company else list(HomeCompany.objects.all())
        keys = matching.proforma_numbers(text, companies)
        found = [d for documents in matching.proformas_named(keys).values() for d in documents] if keys else []
        if not found:
            found = list(proformas.filter(number__iexact=text))
    if not found:
        message = _("No proforma is numbered %(number)s.") % {"number": text}
        raise ValidationFailed(message, fields={"number": [message]})
    unpaid = [d for d in found if d.status == DocumentStatus.UNPAID and d.currency == line.currency]
    if len(unpaid) != 1:
        document = found[0]
        if len(unpaid) > 1:
            message = _("Several proformas are numbered %(number)s; choose one from the list.") % {"number": text}
        elif document.status != DocumentStatus.UNPAID:
            message = _("%(number)s is %(status)s: nothing is due on it.") % {
                "number": document.number, "status": str(document.get_status_display()).lower()}
        else:
            message = _("%(number)s is due in %(document_currency)s; the transfer is in %(currency)s.") % {
                "number": document.number, "document_currency": document.currency, "currency": line.currency}
        raise ValidationFailed(message, fields={"number": [message]})
    return unpaid[0]


def bank_line_choose(*, actor: ActorLike, statement_id, line_id, document_id=None,
                     number: object = "") -> BankStatementLine:
    """Staff name the proforma a line pays (by id, or by its number): an UNPAID proforma in the
    line's currency. The line is then recorded with the matched ones, for its whole amount (less
    than due: a partial payment; more: refused when recorded)."""
    _require_access(actor)
    with transaction.atomic():
        line = _locked_line(actor, statement_id, line_id)
        _changeable(line)
        document = _proforma_for(line, document_id=document_id, number=number)
        before = line.document.number if line.document_id else None
        line.status, line.document, line.error = BankLineStatus.CHOSEN, document, ""
        line.save(update_fields=["status", "document", "error"])
        audit_record(action="bank_statement.line_choose", target=line.statement, client_id=document.client_id,
                     changes={"line": [None, line.position], "proforma": [before, document.number]})
    return line


def bank_line_ignore(*, actor: ActorLike, statement_id, line_id) -> BankStatementLine:
    """Staff set a line aside (not a payment of a proforma: a refund, a transfer between own
    accounts…): it is not recorded. Choosing a proforma for it later brings it back."""
    _require_access(actor)
    with transaction.atomic():
        line = _locked_line(actor, statement_id, line_id)
        if line.status == BankLineStatus.RECORDED:
            raise Conflict(_("This line's payment is recorded already."))
        before = line.document.number if line.document_id else None
        line.status, line.document, line.error = BankLineStatus.IGNORED, None, ""
        line.save(update_fields=["status", "document", "error"])
        audit_record(action="bank_statement.line_ignore", target=line.statement,
                     changes={"line": [None, line.position], "proforma": [before, None]})
    return line


@dataclass(frozen=True)
class RecordOutcome:
    recorded: int
    failed: int


def paid_at_of(line: BankStatementLine, document: Document, now: dt.datetime | None = None) -> dt.datetime:
    """When the money arrived: the booking date at noon in the server's time zone — a statement
    says the day, not the hour — moved within that day to after the proforma's issue and to no
    later than now (a payment cannot predate its proforma or be in the future)."""
    now = now or timezone.now()
    noon = timezone.make_aware(dt.datetime.combine(line.booked_on, dt.time(12)), timezone.get_default_timezone())
    if document.issue_date and noon < document.issue_date and \
            timezone.localtime(document.issue_date).date() == line.booked_on:
        noon = document.issue_date
    return min(noon, now)


def _error_in_words(error: DomainError) -> str:
    details = [message for messages in error.fields.values() for message in messages if message != error.message]
    return " ".join([error.message, *details])[:500]


def bank_statement_record(*, actor: ActorLike, statement_id,
                          progress: Callable[..., None] | None = None) -> RecordOutcome:
    """Record the payment of every matched and chosen line not recorded yet, through
    invoicing.proforma_pay (which settles the proforma and issues its final invoice) with the bank's
    reference — or the line's fingerprint — as the transaction ID, so a line is paid once however
    often this runs, even at the same time. Each line is its own transaction: one that fails (the
    proforma was paid meanwhile, an overpayment) keeps its error in words; the others are recorded."""
    _require_access(actor)
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
                                           paid_at=paid_at_of(line, line.document), method=PAYMENT_METHOD,
                                           transaction_id=line.bank_reference or line.fingerprint)
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
    return RecordOutcome(recorded=recorded, failed=failed)


# --- as background tasks (a statement of thousands of lines takes longer than a page may wait) ------

def _storage():
    return storages["default"]


def bank_statement_file_keep(*, actor: ActorLike, data: bytes) -> str:
    """Keep an uploaded statement for its background task (which removes it); answers its name."""
    _require_access(actor)
    try:
        return _storage().save(f"bank-statements/{uuid.uuid4().hex}.csv", ContentFile(data))
    except Exception as error:  # a full disk, S3 refusing: any backend's own errors
        log.exception("Could not keep an uploaded bank statement")
        raise DomainError(_("The file could not be stored; nothing was saved. Try again, and tell the "
                            "administrator if it keeps failing."), code="file_not_stored") from error


def _forget(stored_name: str) -> None:
    """Remove a kept statement file; a storage that refuses is logged, never the task's failure."""
    try:
        _storage().delete(stored_name)
    except Exception:
        log.exception("Could not remove the bank statement file %s", stored_name)


def bank_statement_upload_run(*, progress: Callable[..., None], actor_id: str, stored_name: str, name: str,
                              home_company_id=None, currency: str = "") -> dict:
    """Background task "payments.bank_upload": read, match and store a kept statement file — all or
    nothing, as bank_statement_upload — and remove the file, kept or refused."""
    try:
        # The staff member who started it, with its rights as they are now (none once deactivated).
        actor = bulk_actor(actor_id)
        try:
            with _storage().open(stored_name, "rb") as kept:
                data = kept.read()
        except (OSError, ValueError):
            raise NotFound(_("The uploaded file is gone; upload it again.")) from None
        try:
            statement = bank_statement_upload(actor=actor, data=data, name=name, home_company_id=home_company_id,
                                              currency=currency, progress=progress)
        except ValidationFailed as refused:  # the task's page shows one message: every detail in it
            # A file refused by reading.file_refused lists its bad lines after the message.
            said = refused.fields.get("file") or []
            details = said[1:] if said[:1] == [refused.message] else []
            raise ValidationFailed(" ".join([refused.message, *details]), fields=refused.fields) from None
    finally:
        _forget(stored_name)
    return {"statement_id": str(statement.pk), "lines": statement.line_count,
            "imported_before": statement.duplicate_count, "outgoing": statement.outgoing_count}


def bank_statement_record_run(*, progress: Callable[..., None], actor_id: str, statement_id: str) -> dict:
    """Background task "payments.bank_record": record the statement's matched and chosen lines."""
    outcome = bank_statement_record(actor=bulk_actor(actor_id), statement_id=statement_id, progress=progress)
    return {"statement_id": str(statement_id), "recorded": outcome.recorded, "failed": outcome.failed}


def bank_statement_upload_stalled(*, stored_name: str = "", **_arguments) -> None:
    """The upload's worker died: its kept file is removed (nothing of the statement was stored)."""
    if stored_name:
        _forget(stored_name)
