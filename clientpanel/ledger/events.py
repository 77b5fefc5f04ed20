"""Events of the ledger, published inside the posting transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from clientpanel.core.events import Event

from .models import LedgerEntry


@dataclass(frozen=True)
class LedgerEntryPosted(Event):
    """An entry moved a client's balance. No transaction ID is None (null), as the API writes the
    entry (ledger/api.py entry_out), whoever builds the event — an empty text is read as none."""

    name = "ledger.entry_posted"
    entry_id: uuid.UUID
    client_id: uuid.UUID
    sequence: int
    type: str  # CHARGE, PAYMENT, REFUND, ADJUSTMENT
    net: Decimal
    gross: Decimal
    balance_after: Decimal
    transaction_id: str | None
    document_id: uuid.UUID | None
    service_id: uuid.UUID | None

    def __post_init__(self) -> None:
        if not self.transaction_id:
            object.__setattr__(self, "transaction_id", None)  # frozen: set once, while it is built

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryPosted:
        return cls(entry_id=entry.id, client_id=entry.client_id, sequence=entry.sequence, type=entry.type,
                   net=entry.net, gross=entry.gross, balance_after=entry.balance_after,
                   transaction_id=entry.transaction_id or None, document_id=entry.document_id,
                   service_id=entry.service_id)
