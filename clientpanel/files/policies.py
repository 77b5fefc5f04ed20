"""Who may do what with a client's files: predicates over an Actor (see clientpanel.core.actor).
Staff read them with View clients and add or delete them with Edit clients, like the other tabs of
the client record; a portal user reads the ones shown in the portal with View Documents. Which
clients an actor sees at all is clients.selectors.clients_visible_to; these answer what it may do
with the files of one it sees."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.clients.permissions import VIEW_DOCUMENTS
from clientpanel.core.actor import Actor


def can_view_client_files(actor: Actor, client_id=None) -> bool:
    """Staff with View clients: every file of the clients they see. A portal user: with View
    Documents on the client it acts for (and only the files shown in the portal: the selector)."""
    return actor.has_area(VIEW_CLIENTS) or (client_id is not None and actor.may_on_client(client_id, VIEW_DOCUMENTS))


def can_manage_client_files(actor: Actor) -> bool:
    """Upload and delete: staff with Edit clients (never a portal user, whatever its keys)."""
    return actor.has_area(EDIT_CLIENTS)
