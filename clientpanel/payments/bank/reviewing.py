"""Staff's choices on the lines of an imported statement: the proforma a line pays, named by id or
by number, or the line set aside as no payment of a proforma."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.core.locks import lock_one
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.tax.models import HomeCompany

from ..models import BankLineStatus, BankStatementLine
from . import matching
from .policies import require_bank_statement_access
from .selectors import bank_statement_get


def _locked_line(actor: ActorLike, statement_id: object, line_id: object) -> BankStatementLine:
    statement = bank_statement_get(actor=actor, statement_id=statement_id)
    return lock_one(BankStatementLine.objects.filter(statement=statement), _("No such line on this statement."),
                    pk=line_id)


def _changeable(line: BankStatementLine) -> None:
    if line.status == BankLineStatus.RECORDED:
        raise Conflict(_("This line's payment is recorded already."))
    if line.amount < 0:
        raise Conflict(_("An outgoing transfer pays no proforma."))


def _proforma_for(line: BankStatementLine, *, document_id: object = None, number: object = "") -> Document:
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


def bank_line_choose(*, actor: ActorLike, statement_id: object, line_id: object, document_id: object = None,
                     number: object = "") -> BankStatementLine:
    """Staff name the proforma a line pays (by id, or by its number): an UNPAID proforma in the
    line's currency. The line is then recorded with the matched ones, for its whole amount (less
    than due: a partial payment; more: refused when recorded)."""
    require_bank_statement_access(actor)
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


def bank_line_ignore(*, actor: ActorLike, statement_id: object, line_id: object) -> BankStatementLine:
    """Staff set a line aside (not a payment of a proforma: a refund, a transfer between own
    accounts…): it is not recorded. Choosing a proforma for it later brings it back."""
    require_bank_statement_access(actor)
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
