"""Events of online payments, published inside the service's transaction (core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from clientpanel.core.events import Event


@dataclass(frozen=True)
class AutoTopUpFailed(Event):
    """An auto top-up charge of a client's saved method was declined or not answered. `retry_at`:
    when it is tried again (None: it was the last try for this shortfall)."""

    name = "payment.auto_top_up_failed"
    client_id: uuid.UUID
    attempt_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    retry_at: str | None
