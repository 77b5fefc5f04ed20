"""Amounts as Stripe takes and sends them: integers in the currency's minor units, which for some
currencies differ from ISO 4217 (docs.stripe.com/currencies)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from . import GatewayError, NotVerified

ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}  # sent with 3 decimals, the last one 0
WHOLE_IN_TWO_DECIMALS = {"ISK"}  # zero-decimal, but sent as two-decimal amounts ending in 00


def exponent(currency: str) -> int:
    currency = currency.upper()
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The integer Stripe expects for `amount` ("12.50" USD → 1250; "1200" JPY → 1200). A fraction
    of what the currency can carry is refused, never rounded: the payer pays what the proformas say."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise GatewayError(_("Stripe takes only positive amounts."))
    currency = currency.upper()
    scaled = amount.scaleb(exponent(currency))
    step = 10 if currency in THREE_DECIMAL else 100 if currency in WHOLE_IN_TWO_DECIMALS else 1
    if scaled != scaled.to_integral_value() or int(scaled) % step:
        raise GatewayError(_("%(amount)s %(currency)s cannot be paid through Stripe: it is not a whole number of "
                             "the currency's smallest unit.") % {"amount": amount, "currency": currency})
    return int(scaled)


# Beyond any amount the panel keeps (999,999,999,999.9999): no payment of ours carries it.
MAX_MINOR_UNITS = 10**15


def from_minor_units(value: Any, currency: str) -> Decimal:
    """The amount an event's integer stands for; an unreadable one refuses the event (NotVerified):
    a fraction (int() cut 12.7 to 12), a JSON 1e309 (infinity: OverflowError, a 500 on the
    notification) or a number past any amount the panel stores."""
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        whole = int(value)
    except (TypeError, ValueError, OverflowError, InvalidOperation):
        raise NotVerified(f"unreadable amount {value!r}") from None
    if abs(whole) >= MAX_MINOR_UNITS:
        raise NotVerified(f"amount {value!r} beyond any payment")
    return Decimal(whole).scaleb(-exponent(currency))
