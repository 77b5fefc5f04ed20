"""Online payments (issue 15): gateway accounts per home company, payment attempts that settle one
or several proformas, and the gateways' notifications stored before they are applied (attempts.py);
bank statements imported to match transfers to proformas (bank.py); refunds and disputes made
at the gateway, outside the panel (reversals.py)."""

from .attempts import (
    AttemptDocument,
    AttemptStatus,
    GatewayAccount,
    GatewayEvent,
    GatewayRefund,
    PaymentAttempt,
    RefundStatus,
)
from .bank import BankLineStatus, BankStatement, BankStatementLine
from .methods import AutoTopUp, SavedMethod
from .reversals import TAKES_MONEY_BACK, GatewayReversal, ReversalKind

__all__ = [
    "TAKES_MONEY_BACK",
    "AttemptDocument",
    "AttemptStatus",
    "AutoTopUp",
    "BankLineStatus",
    "BankStatement",
    "BankStatementLine",
    "GatewayAccount",
    "GatewayEvent",
    "GatewayRefund",
    "GatewayReversal",
    "PaymentAttempt",
    "RefundStatus",
    "ReversalKind",
    "SavedMethod",
]
