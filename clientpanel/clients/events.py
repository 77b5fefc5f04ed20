"""Events of the clients domain, published inside the service's transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clientpanel.core.events import Event


@dataclass(frozen=True)
class ClientCreated(Event):
    """A client was created with its owner and billing address."""

    name = "client.created"
    client_id: uuid.UUID
    number: str
    owner_id: uuid.UUID


@dataclass(frozen=True)
class ClientUpdated(Event):
    """A client's fields or addresses changed: `fields` names what (its addresses: "addresses")."""

    name = "client.updated"
    client_id: uuid.UUID
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ClientUserEvent(Event):
    """What an event about one user of one client names: the client, then the user."""

    client_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class WelcomeEmailRequested(ClientUserEvent):
    """Staff asked for the welcome e-mail to a client's owner, when creating the client or later."""

    name = "client.welcome_requested"


@dataclass(frozen=True)
class ClientUserInvited(ClientUserEvent):
    """A user was linked to a client and is to be told so by e-mail (an invitation)."""

    name = "client_user.invited"


@dataclass(frozen=True)
class PasswordResetEmailRequested(ClientUserEvent):
    """Staff asked, from a client's Users tab, for a password-reset link to go to a linked user."""

    name = "client_user.password_reset_requested"


@dataclass(frozen=True)
class ClientRegistered(ClientUserEvent):
    """Somebody signed up in the portal: a NEW client and its owner, whose address is not yet
    confirmed (the verification e-mail follows)."""

    name = "client.registered"


@dataclass(frozen=True)
class ImportCompleted(Event):
    """A CSV import of clients was committed (issue 13): one event for the whole file, not a
    client.created per client. The counts say what it did; `task_id` is the background task that
    ran it (None from the command)."""

    name = "import.completed"
    import_id: uuid.UUID
    task_id: int | None
    created: int
    updated: int
    skipped: int
    rejected: int
