"""Who may do what with clients, their users and groups. Predicates over an Actor (see
clientpanel.core.actor): staff by the areas of their roles, portal users by their permission keys on
the client they act for, the system always. Which clients an actor sees at all is
selectors.clients_visible_to; these answer what it may do with one it sees."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS, IMPERSONATE, MANAGE_STAFF, SETTINGS, VIEW_CLIENTS
from clientpanel.core.actor import Actor, holds_area

from . import permissions as keys


def can_view_clients(actor: Actor) -> bool:
    """The directory and client pages: staff with View clients; a portal user its own client."""
    return actor.has_area(VIEW_CLIENTS) or (actor.is_portal and actor.client_id is not None)


can_create_clients = holds_area(EDIT_CLIENTS)

# Every field of a client, its addresses and notes (the portal edits its profile through its
# own, narrower form: can_edit_own_profile).
can_edit_client = holds_area(EDIT_CLIENTS)


def can_edit_own_profile(actor: Actor, client_id) -> bool:
    return can_edit_client(actor) or actor.may_on_client(client_id, keys.MODIFY_MASTER_PROFILE)


def can_manage_addresses(actor: Actor, client_id) -> bool:
    """Add, change and delete a client's addresses: staff with Edit clients (every client they
    see); a portal user with Modify Master Account Profile on that client, its address book (the
    permission that governs its profile and billing address already)."""
    return can_edit_own_profile(actor, client_id)


def can_manage_client_users(actor: Actor, client_id=None) -> bool:
    """Associate, edit and remove the users linked to a client."""
    return can_edit_client(actor) or (client_id is not None and actor.may_on_client(client_id, keys.MANAGE_USERS))


def can_change_permissions(actor: Actor, changed: set[str] | frozenset[str]) -> bool:
    """Staff grant and take away any permission; a portal user only those it holds itself, so
    Manage Users never widens its own reach through another login."""
    return not actor.is_portal or set(changed) <= set(actor.permissions)


def can_change_link_of(actor: Actor, user_id) -> bool:
    """A portal user does not change or remove its own link (another user with Manage Users does)."""
    return not actor.is_portal or str(actor.user_id) != str(user_id)


can_transfer_ownership = holds_area(EDIT_CLIENTS)
can_manage_groups = holds_area(SETTINGS)
can_manage_staff = holds_area(MANAGE_STAFF)


def can_login_as_owner(actor: Actor) -> bool:
    """Login as Owner (SPEC §4): staff with the impersonate area, never a portal user."""
    return actor.is_staff_side and actor.has_area(IMPERSONATE)
