"""Events of services, published inside the service's transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clientpanel.core.events import Event


@dataclass(frozen=True)
class ServiceEvent(Event):
    """What every event of a service names first: the service, its client and its label."""

    service_id: uuid.UUID
    client_id: uuid.UUID
    label: str


@dataclass(frozen=True)
class ServiceStatusChanged(ServiceEvent):
    """A service became ACTIVE, SUSPENDED (with the reason), TERMINATED or CANCELLED."""

    name = "service.status_changed"
    old_status: str
    new_status: str
    reason: str = ""


@dataclass(frozen=True)
class ServiceOrdered(ServiceEvent):
    """A client's service was ordered (PENDING). Its provisioning is queued when the order commits
    (tasks.queue_provisioning, subscribed in apps.py)."""

    name = "service.ordered"
