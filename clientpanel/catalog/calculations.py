"""Pure maths of the catalogue: exchange rates and the prices derived from them. No ORM here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.core.money import AMOUNT_MAX, AmountError, quantize_amount, round_to_minor_unit

# A rate has at most 6 decimals and 9 integer digits: 15 significant digits, which SQLite's
# storage and Django's decimal converter carry exactly (PostgreSQL stores numeric anyway).
RATE_MAX_DIGITS = 15
RATE_PLACES = 6
RATE_MAX = Decimal(10) ** (RATE_MAX_DIGITS - RATE_PLACES) - Decimal(1).scaleb(-RATE_PLACES)  # 999999999.999999


def parse_rate(value: object) -> Decimal:
    """An exchange rate from a person or a script: a positive Decimal with at most 6 decimals and at
    most 999,999,999.999999; floats, NaN, zero and negatives are refused (AmountError says why)."""
    if isinstance(value, float):
        raise AmountError(_("Send rates as strings, never as floating-point numbers."))
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise AmountError(_("Enter a rate, e.g. 4.3127."))
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AmountError(_("Enter a number, e.g. 4.3127.")) from None
    if not rate.is_finite():
        raise AmountError(_("Enter a finite number."))
    if rate <= 0:
        raise AmountError(_("A rate is greater than zero."))
    if rate > RATE_MAX:
        raise AmountError(_("The rate is too large (at most 999,999,999.999999)."))
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_PLACES:
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
