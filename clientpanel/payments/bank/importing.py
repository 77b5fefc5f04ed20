"""Importing a bank statement: the upload — read (reading.py), matched to proformas (matching.py) and
stored in one transaction, or refused whole — and the same as a background task, with the uploaded
file kept for the task and removed after it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.services.bulk import bulk_actor
from clientpanel.clients.validation import enabled_currencies
from clientpanel.core.errors import Conflict, DomainError, FieldErrors, NotFound, ValidationFailed
from clientpanel.core.text import clean_text
from clientpanel.tax.models import HomeCompany

from ..models import BankStatement, BankStatementLine
from . import matching, reading
from .policies import require_bank_statement_access

log = logging.getLogger(__name__)

UPLOAD_KIND = "payments.bank_upload"  # the background task's kind
_FINGERPRINT_CHUNK = 1000


def bank_statement_options_clean(home_company_id: object, currency: object) -> tuple[HomeCompany | None, str]:
    """An upload's options checked: the home company whose account the statement is (none: every
    one's) and the statement's currency code; a ValidationFailed naming each bad one."""
    errors = FieldErrors()
    company = None
    if home_company_id not in (None, ""):
        try:
            company = HomeCompany.objects.get(pk=home_company_id)
        except (HomeCompany.DoesNotExist, ValueError, TypeError):
            errors.add("home_company", _("Choose a home company from the list."))
    code = str(currency or "").strip().upper()
    if code and code not in enabled_currencies():  # the form offers these: the panel keeps no other money
        errors.add("currency", _("%(code)s is not a currency of this panel. Use: %(enabled)s.") % {
            "code": code[:20], "enabled": ", ".join(enabled_currencies())})
    errors.raise_if_any()
    return company, code


def _stored_fingerprints(fingerprints: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(fingerprints), _FINGERPRINT_CHUNK):
        stored.update(BankStatementLine.objects.filter(
            fingerprint__in=fingerprints[start:start + _FINGERPRINT_CHUNK]).values_list("fingerprint", flat=True))
    return stored


def bank_statement_upload(*, actor: ActorLike, data: bytes, name: object, home_company_id: object = None,
                          currency: object = "", progress: Callable[..., None] | None = None) -> BankStatement:
    """Read a statement file, match its incoming transfers to proformas and store its lines — all or
    nothing: a file that cannot be read whole writes nothing. A booking stored before (the same
    fingerprint, from this file or an earlier one) is not stored again, so it can be recorded only
    once; a file holding nothing new is refused. home_company_id: whose account it is (its
    proformas and numbering pattern; none: every home company's); currency: the statement's
    currency when the file has no currency column."""
    require_bank_statement_access(actor)
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


# --- as background tasks (a statement of thousands of lines takes longer than a page may wait) ------

def _storage() -> Storage:
    return storages["default"]


def bank_statement_file_keep(*, actor: ActorLike, data: bytes) -> str:
    """Keep an uploaded statement for its background task (which removes it); answers its name."""
    require_bank_statement_access(actor)
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
                              home_company_id: object = None, currency: str = "") -> dict:
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


def bank_statement_upload_stalled(*, stored_name: str = "", **_arguments: object) -> None:
    """The upload's worker died: its kept file is removed (nothing of the statement was stored)."""
    if stored_name:
        _forget(stored_name)
