"""Who may move or read a client's balance: predicates over an Actor (see clientpanel.core.actor).
Balances move only through services.entry_post; staff post manual transactions, everything else
posts as a consequence of a document or a service."""

from __future__ import annotations

from clientpanel.accounts.roles import FINANCE
from clientpanel.clients.permissions import MANAGE_INVOICES
from clientpanel.core.actor import Actor, holds_area

can_post_transactions = holds_area(FINANCE)


def can_view_transactions(actor: Actor, client_id) -> bool:
    """A client's transactions: staff who see the client (selectors scope that), a portal user with
    Manage Invoices on it (SPEC §3)."""
    return not actor.is_portal or actor.may_on_client(client_id, MANAGE_INVOICES)
