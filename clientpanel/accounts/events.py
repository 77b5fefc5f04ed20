"""Events of the accounts domain, published inside the service's transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clientpanel.core.events import Event


@dataclass(frozen=True)
class PasswordChanged(Event):
    """A user's password was changed: by the user itself (changed_by_id None), or set by a staff
    member who manages it. The user is told by e-mail, so a change it did not make does not go
    unnoticed."""

    name = "user.password_changed"
    user_id: uuid.UUID
    changed_by_id: uuid.UUID | None = None


@dataclass(frozen=True)
class UserRenamed(Event):
    """A user's first or last name changed (by the user itself or by staff): the clients it owns
    show the name (clients subscribes and publishes client.updated for each)."""

    name = "user.renamed"
    user_id: uuid.UUID
