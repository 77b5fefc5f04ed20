"""The ledger: the only place a client's balance moves (SPEC §5). posting.py posts one entry (the
path of every single post), batch.py many at once for batch jobs, manual.py staff's adjustments;
common.py holds what they share. Importers use the names listed here."""

from .batch import entries_post_for_clients, entries_post_select
from .common import InsufficientFunds, TransactionIdUsed
from .manual import manual_transaction_create
from .posting import entry_post

__all__ = [
    "InsufficientFunds",
    "TransactionIdUsed",
    "entries_post_for_clients",
    "entries_post_select",
    "entry_post",
    "manual_transaction_create",
]
