"""Events of services, published inside the service's transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clientpanel.core.events import Event


@dataclass(frozen=True)
class ServiceStatusChanged(Event):
    """A service became ACTIVE, SUSPENDED (with the reason), TERMINATED or CANCELLED."""

    name = "service.status_changed"
    service_id: uuid.UUID
    client_id: uuid.UUID
    label: str
    old_status: str
    new_status: str
    reason: str = ""


@dataclass(frozen=True)
class ServiceOrdered(Event):
    """A client's service was ordered (PENDING). Its provisioning is queued when the order commits
    (tasks.queue_provisioning, subscribed in apps.py)."""

    name = "service.ordered"
    service_id: uuid.UUID
    client_id: uuid.UUID
    label: str
