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


@dataclass(frozen=True)
class PaymentReversedAtGateway(Event):
    """Money of an online payment was refunded at the gateway, outside the panel, or disputed by
    the payer (opened, won, lost): staff who look after the client's money are told."""

    name = "payment.reversed_at_gateway"
    client_id: uuid.UUID
    attempt_id: uuid.UUID
    reversal_id: uuid.UUID


@dataclass(frozen=True)
class PaymentHeld(Event):
    """The gateway took money the panel could not apply as it stands (another amount or currency, a
    proforma paid or cancelled meanwhile, money after a settlement by hand): the attempt is HELD,
    its proformas wait, and staff who look after the client's money are to review it."""

    name = "payment.held"
    client_id: uuid.UUID
    attempt_id: uuid.UUID
