"""Pure maths of the catalogue: exchange rates and the prices derived from them. No ORM here."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.core.money import (
    AMOUNT_MAX,
    AmountError,
    decimal_places,
    parse_decimal,
    quantize_amount,
    round_to_minor_unit,
)

# A rate has at most 6 decimals and 9 integer digits: 15 significant digits, which SQLite's
# storage and Django's decimal converter carry exactly (PostgreSQL stores numeric anyway).
RATE_MAX_DIGITS = 15
RATE_PLACES = 6
RATE_MAX = Decimal(10) ** (RATE_MAX_DIGITS - RATE_PLACES) - Decimal(1).scaleb(-RATE_PLACES)  # 999999999.999999


def parse_rate(value: object) -> Decimal:
    """An exchange rate from a person or a script: a positive Decimal with at most 6 decimals and at
    most 999,999,999.999999; floats, NaN, zero and negatives are refused (AmountError says why)."""
    missing = _("Enter a rate, e.g. 4.3127.")
    if isinstance(value, str) and not value.strip():
        raise AmountError(missing)
    rate = parse_decimal(value, float_refused=_("Send rates as strings, never as floating-point numbers."),
                         missing=missing, not_a_number=_("Enter a number, e.g. 4.3127."))
    if rate <= 0:
        raise AmountError(_("A rate is greater than zero."))
    if rate > RATE_MAX:
        raise AmountError(_("The rate is too large (at most 999,999,999.999999)."))
    if decimal_places(rate) > RATE_PLACES:
        raise AmountError(ngettext("Use at most %(places)d decimal place.", "Use at most %(places)d decimal places.",
                                   RATE_PLACES) % {"places": RATE_PLACES})
    return rate.quantize(Decimal(1).scaleb(-RATE_PLACES))


def derived_amount(amount: Decimal, rate: Decimal, currency: str, *, ledger_places: bool) -> Decimal | None:
    """The default currency's amount in `currency` at `rate`, half up: to the ledger's 4 places
    for an hourly price or a product billed by the hour (they keep 4 decimals, like explicit ones),
    else to the currency's minor unit. None when the result is beyond what an amount may hold."""
    exact = amount * rate
    if exact > AMOUNT_MAX:
        return None
    rounded = quantize_amount(exact) if ledger_places else round_to_minor_unit(exact, currency)
    return rounded if rounded <= AMOUNT_MAX else None
