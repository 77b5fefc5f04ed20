"""Who may do what with proformas, invoices and credit notes: predicates over an Actor (see
clientpanel.core.actor). What a document's state allows is rules.py; which documents an actor sees
at all is selectors.documents_visible_to."""

from __future__ import annotations

from clientpanel.accounts.roles import FINANCE, SETTINGS
from clientpanel.clients.permissions import MANAGE_INVOICES
from clientpanel.core.actor import Actor, holds_area

can_issue_documents = holds_area(FINANCE)

# Recording money received (a bank transfer, cash) is the books' side: staff with Finance and
# the system (gateway notifications); a client pays through a gateway, never by saying so.
can_record_payments = holds_area(FINANCE)

can_cancel_documents = holds_area(FINANCE)
can_issue_credit_notes = holds_area(FINANCE)


def can_view_documents(actor: Actor, client_id) -> bool:
    """A client's documents: staff who see the client (selectors scope that), a portal user with
    Manage Invoices on it (SPEC §3: view and pay documents, add funds, see transactions)."""
    return not actor.is_portal or actor.may_on_client(client_id, MANAGE_INVOICES)


def can_add_funds(actor: Actor, client_id) -> bool:
    """Ask for an Add Funds proforma: staff with Finance, or a portal user with Manage Invoices."""
    return actor.has_area(FINANCE) or actor.may_on_client(client_id, MANAGE_INVOICES)


def can_pay(actor: Actor, document) -> bool:
    """Start paying a document online: a portal user with Manage Invoices on its client, or staff
    with Finance (who record the payment instead, but may open the same page)."""
    return actor.has_area(FINANCE) or actor.may_on_client(document.client_id, MANAGE_INVOICES)


# The portal's Add Funds limits per currency are a setting of the shop (Settings → Add Funds limits).
can_manage_add_funds_limits = holds_area(SETTINGS)
