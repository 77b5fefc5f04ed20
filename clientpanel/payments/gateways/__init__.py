"""Payment gateways (issue 15): one small interface, a registry by key — like provisioning modules.

A gateway takes a client to its payment page for an attempt (`start`), and tells what happened
through notifications it signs (`verify` checks the signature and reads one): the services store
each verified notification under its event id before applying it, so a repeated, late or
out-of-order notification changes nothing twice (payments/services.py). Secrets never live in the
database: a gateway reads them from the environment or derives them (`secret`), and pages show at
most their last characters.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from clientpanel.core.registry import Registry

# What a notification says happened to a payment.
SUCCEEDED, FAILED, PENDING = "succeeded", "failed", "pending"
# What a notification says happened to the money of a payment made earlier (Notification.reversal):
# the values of models.ReversalKind.
REFUNDED, DISPUTE_OPENED, DISPUTE_WON, DISPUTE_LOST = "REFUNDED", "DISPUTE_OPENED", "DISPUTE_WON", "DISPUTE_LOST"


class GatewayError(Exception):
    """A gateway refused or could not be reached; the message is for the person who asked."""


class GatewayUnanswered(Exception):
    """A charge was sent and no answer came back (a timeout, the gateway's own error): the money may
    have moved all the same, so it is never taken for a decline and never sent again as a new
    charge — the gateway's notification settles it, or staff do (rules.can_be_resolved_by_staff)."""


class NotVerified(Exception):
    """A notification whose signature does not hold: refused, logged, never stored."""


@dataclass(frozen=True)
class Checkout:
    """Where the client goes to pay (the gateway's page) and the gateway's id of the payment."""

    redirect_url: str
    reference: str


@dataclass(frozen=True)
class Notification:
    """One verified event from a gateway about one payment."""

    event_id: str
    kind: str  # SUCCEEDED, FAILED or PENDING
    reference: str  # the gateway's id of the payment (Checkout.reference)
    transaction_id: str = ""  # the gateway's id of the money moved (succeeded only)
    amount: Decimal | None = None
    currency: str = ""
    error: str = ""  # why it failed, in the gateway's words
    payload: dict[str, Any] = field(default_factory=dict)
    # A method the payer asked the gateway to keep (its reference and how to show it), if any.
    saved_method: str = ""
    saved_method_label: str = ""
    # Our attempt's id when the gateway echoes it back (metadata): finds the attempt whose reference
    # was never learned (the gateway charged, but its answer was lost to a timeout).
    attempt_id: str = ""
    # Money of a payment made earlier taken back at the gateway (a refund made there, a dispute).
    reversal: Reversal | None = None


@dataclass(frozen=True)
class Reversal:
    """A refund made at the gateway (its dashboard), or a dispute opened or closed, of one payment."""

    kind: str  # REFUNDED, DISPUTE_OPENED, DISPUTE_WON or DISPUTE_LOST
    payment_ids: tuple[str, ...]  # the gateway's ids of the payment (charge, payment intent)
    # REFUNDED: all the payment's refunds so far, gross (the gateway adds them up); a dispute: its amount.
    amount: Decimal
    happened_at: dt.datetime
    external_id: str = ""  # the gateway's id of the refund or dispute
    reason: str = ""  # a dispute's reason
    # The panel's own refunds the gateway names among the payment's refunds, as made: the
    # GatewayRefund's id -> the gateway's id of the refund.
    made_here: Mapping[str, str] = field(default_factory=dict)
    # A closed dispute: the gateway's dispute fee kept from the seller (its own cost, never the
    # payer's), in the currency the gateway charged it in (the account's, not always the payment's);
    # None when the notification does not say.
    fee: Decimal | None = None
    fee_currency: str = ""


@dataclass(frozen=True)
class AttemptInfo:
    """What a gateway is told about a payment to start."""

    attempt_id: str
    amount: Decimal
    currency: str
    description: str  # "PF/2026/11/0007, PF/2026/11/0008"
    client_email: str
    account_id: int
    settings: Mapping[str, Any]
    client_id: str = ""
    # The payer asked, before leaving for the gateway's page, to keep the card for later charges
    # (only where the gateway asks so: `keep_asked_before_start`).
    keep_method: bool = False
    # A saved method's charge the payer started at the page (Pay with …), not one made in its absence
    # (auto top-up): a bank that asks the card holder to confirm is then asked on the gateway's page.
    payer_present: bool = False


class Gateway(ABC):
    key: ClassVar[str] = ""
    # Shown to staff and clients: gettext_lazy in a subclass.
    title: ClassVar[str] = ""
    # False: no online checkout (bank transfer: the client pays from its bank, staff record it).
    online: ClassVar[bool] = True
    # The service's own name, where staff look a payment up ("Refunded at Stripe"); empty: the title.
    brand: ClassVar[str] = ""

    # The settings a home company's account of this gateway may hold; any other is refused
    # (settings_checks.settings_problems), as is anything that looks like a secret.
    settings_names: ClassVar[frozenset[str]] = frozenset()

    def validate_settings(self, settings: Mapping[str, Any]) -> dict[str, list[str]]:
        """Field errors of a home company's settings for this gateway ({} when fine); it is given only
        the settings named in settings_names."""
        return {}

    @abstractmethod
    def start(self, attempt: AttemptInfo, *, return_url: str) -> Checkout:
        """Create the payment at the gateway; answer where to send the client."""

    @abstractmethod
    def verify(self, body: bytes, headers: Mapping[str, str], *, account_id: int,
               settings: Mapping[str, Any]) -> Notification:
        """Check a notification's signature and read it; raise NotVerified when it does not hold."""

    def close_checkout(self, *, reference: str, settings: Mapping[str, Any]) -> None:
        """Close an unfinished checkout (another payment of its proformas went through or is being
        processed: paying it too would take the money twice). A gateway whose checkout cannot be
        closed does nothing; its late success is held for staff (services._apply)."""
        return None

    # Whether charge_saved() charges a kept method without the payer present (auto top-up).
    saves_methods: ClassVar[bool] = False

    def keep_asked_before_start(self, settings: Mapping[str, Any]) -> bool:
        """Whether the payer says *before* going to the gateway's page that the card is to be kept
        (a hosted page we do not draw cannot ask); otherwise the gateway's own page asks, if any."""
        return False

    def charge_saved(self, attempt: AttemptInfo, *, method_reference: str) -> Notification:
        """Charge a method the gateway keeps, the payer absent; answer what happened at once (the
        gateway may notify it again later: the event is applied once either way)."""
        raise GatewayError(_("%(gateway)s cannot charge a saved method.") % {"gateway": self.title})

    # Whether refund() sends money back through the gateway (a credit note's choice at issue).
    refunds: ClassVar[bool] = False

    def refund(self, *, transaction_id: str, amount: Decimal, currency: str, idempotency_key: str,
               account_id: int, settings: Mapping[str, Any]) -> str:
        """Send `amount` of the payment `transaction_id` back to the payer; answer the gateway's id of
        the refund. The same idempotency key must never refund twice (a retry after a crash)."""
        raise GatewayError(_("%(gateway)s cannot refund through the gateway.") % {"gateway": self.title})


_REGISTRY: Registry[Gateway] = Registry(key_attribute="key", unknown=lambda key: GatewayError(
    _("No payment gateway named %(key)s.") % {"key": repr(key)}))
register = _REGISTRY.register
get_gateway = _REGISTRY.get
gateway_choices = _REGISTRY.choices


from . import bank_transfer, stripe_gateway, test_gateway  # noqa: E402,F401 — registers the shipped gateways
