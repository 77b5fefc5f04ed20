"""What the ledger's posting paths share: the errors of a refused post, the balance's range, the
credit limit as the funds check reads it, who is recorded as posting, and an entry's columns."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from clientpanel.core.actor import Actor
from clientpanel.core.errors import Conflict
from clientpanel.core.money import AMOUNT_MAX, amount_to_units, reader_amount

from ..models import EntryType, LedgerEntry

BALANCE_MAX_UNITS = amount_to_units(AMOUNT_MAX)


def credit_limit_sql(client_id_sql: str) -> str:
    """SQL for the credit limit of the client `client_id_sql` names: it stays on the client's row,
    read by the balance row's UPDATE that checks funds."""
    return f"(SELECT credit_limit FROM clients_client WHERE id = {client_id_sql})"  # noqa: S608 — callers pass a placeholder or a column


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class TransactionIdUsed(Conflict):
    """The external transaction ID is on an entry that this request does not repeat exactly."""

    code = "transaction_id_used"

    @classmethod
    def by(cls, entry: LedgerEntry, currency: str = "") -> TransactionIdUsed:
        """The conflict of any post (a payment, a credit note, a manual transaction) whose transaction
        ID `entry` carries, naming that entry by the amount entered for it (entered_amount), as money
        in the reader's language: "payment PLN 20.00" for 20.00 paid, never its net part 16.2602."""
        what = f"{entry.get_type_display().lower()} {reader_amount(entered_amount(entry), currency)}"
        message = _("Transaction ID %(transaction_id)s is already used by entry #%(sequence)s (%(entry)s, %(date)s); "
                    "nothing new was posted.") % {"transaction_id": repr(entry.transaction_id),
                                                  "sequence": entry.sequence, "entry": what,
                                                  "date": f"{entry.created_at:%Y-%m-%d}"}
        return cls(message, fields={"transaction_id": [
            _("Already used by entry #%(sequence)s.") % {"sequence": entry.sequence}]})


def entered_amount(entry: LedgerEntry) -> Decimal:
    """The amount a person entered for the entry, as its type keeps it: a PAYMENT's gross (the money
    received, of which its net is the part before tax — 16.2602 of 20.00 at 23%); a credit note's
    REFUND the net refunded, as staff typed it (10.00; the entry's net is -10.00, its gross the note's
    total with tax); any other its signed net — a manual ADJUSTMENT's amount (gross = net, its sign
    typed too), a CHARGE as the ledger shows it."""
    if entry.type == EntryType.PAYMENT:
        return entry.gross
    return -entry.net if entry.type == EntryType.REFUND else entry.net


INSERT_FIELDS = ("id", "client_id", "sequence", "type", "gross", "net", "balance_before", "balance_after",
                  "description", "description_code", "description_params", "transaction_id", "service_id",
                  "period_start", "period_end", "document_id",
                  "created_at", "created_by_kind", "created_by_id", "created_by_label", "impersonator_id")


def recorded_by(actor: Actor) -> dict:
    """Who posts: the actor, and the staff member behind it during Login as Owner."""
    return {"created_by_kind": actor.kind, "created_by_id": actor.user_id, "created_by_label": actor.label[:300],
            "impersonator_id": actor.impersonator_id}
