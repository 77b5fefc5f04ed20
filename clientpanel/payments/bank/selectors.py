"""Reads of bank statements, for staff who may import them (policies.can_import_bank_statements):
anybody else sees none."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType

from ..models import BankLineStatus, BankStatement, BankStatementLine
from ..models.bank import RECORDABLE
from .policies import can_import_bank_statements

SUGGESTIONS_PER_AMOUNT = 10


def bank_statements_visible_to(actor: ActorLike) -> QuerySet[BankStatement]:
    if not can_import_bank_statements(as_actor(actor)):
        return BankStatement.objects.none()
    return BankStatement.objects.all()


def bank_statement_list(*, actor: ActorLike) -> QuerySet[BankStatement]:
    """The statements, newest first, with how many lines each has in each state."""
    counts = {f"{status.lower()}_count": Count("lines", filter=Q(lines__status=status))
              for status in BankLineStatus.values}
    return bank_statements_visible_to(actor).select_related("home_company", "uploaded_by").annotate(
        **counts).order_by("-uploaded_at", "-id")


def bank_statement_get(*, actor: ActorLike, statement_id) -> BankStatement:
    try:
        return bank_statements_visible_to(actor).select_related("home_company").get(pk=statement_id)
    except (BankStatement.DoesNotExist, ValueError, TypeError, ValidationError):  # ValidationError: a malformed UUID
        raise NotFound(_("No such bank statement.")) from None


def bank_statement_lines(*, statement: BankStatement, status: str = "") -> QuerySet[BankStatementLine]:
    """The statement's lines in file order, with their proforma, its client and their payment;
    status: one state only ("RECORDABLE": those Record would record)."""
    lines = statement.lines.select_related("document", "document__client", "payment", "payment__document__related")
    if status == "RECORDABLE":
        lines = lines.filter(status__in=RECORDABLE, payment__isnull=True)
    elif status:
        if status not in BankLineStatus.values:
            raise ValidationFailed(_("Unknown status %(status)s.") % {"status": repr(status)}, fields={"status": [
                _("Use one of %(choices)s.") % {"choices": ", ".join(BankLineStatus.values)}]})
        lines = lines.filter(status=status)
    return lines.order_by("position")


def bank_statement_totals(statement: BankStatement) -> dict[str, int]:
    """How many lines are in each state, and how many Record would record."""
    counts = dict(statement.lines.values_list("status").annotate(count=Count("id")).order_by())
    totals = {status: counts.get(status, 0) for status in BankLineStatus.values}
    totals["RECORDABLE"] = statement.lines.filter(status__in=RECORDABLE, payment__isnull=True).count()
    return totals


def proformas_due(lines: list[BankStatementLine], home_company_id=None) -> dict[tuple[str, Decimal], list[Document]]:
    """Suggestions for choosing: the UNPAID proformas on which exactly a line's amount is due, in its
    currency (of the statement's home company when it has one), by (currency, amount)."""
    wanted = {(line.currency, line.amount) for line in lines if line.amount > 0}
    if not wanted:
        return {}
    due = ExpressionWrapper(F("total") - F("paid_gross"), output_field=AmountField())
    documents = Document.objects.filter(type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
                                        currency__in={currency for currency, _amount in wanted})
    if home_company_id:
        documents = documents.filter(home_company_id=home_company_id)
    documents = documents.annotate(due=due).filter(due__in={amount for _currency, amount in wanted}).select_related(
        "client").order_by("due_date", "number")[:SUGGESTIONS_PER_AMOUNT * len(wanted)]
    found: dict[tuple[str, Decimal], list[Document]] = {}
    for document in documents:
        key = (document.currency, document.due)
        if key in wanted and len(found.setdefault(key, [])) < SUGGESTIONS_PER_AMOUNT:
            found[key].append(document)
    return found
