"""Online payments (issue 15): gateway accounts per home company, payment attempts that settle one
or several proformas, and the gateways' notifications stored before they are applied (attempts.py);
bank statements imported to match transfers to proformas (bank.py)."""

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

__all__ = ["AttemptDocument", "AttemptStatus", "AutoTopUp", "BankLineStatus", "BankStatement", "BankStatementLine",
           "GatewayAccount", "GatewayEvent", "GatewayRefund", "PaymentAttempt", "RefundStatus", "SavedMethod"]
