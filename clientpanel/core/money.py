"""Money values and the one place rounding happens.

Ledger amounts, balances and unit prices keep 4 decimal places; document totals are rounded to
the currency's minor unit. Always ROUND_HALF_UP, never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal, get_currency_precision

AMOUNT_PLACES = 4
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
# SPEC §5: |amount| ≤ 999,999,999,999.9999 — fits a signed 64-bit integer of 1/10,000 units.
AMOUNT_MAX = Decimal("999999999999.9999")


class AmountError(ValueError):
    """The value is not an acceptable amount; the message says why, for a person."""


def parse_amount(value: object, *, places: int = AMOUNT_PLACES, allow_negative: bool = True) -> Decimal:
    """Turn user or API input into an exact Decimal, refusing floats, NaN, too many decimals and
    values outside the ledger's bounds."""
    if isinstance(value, float):
        raise AmountError("Send amounts as strings or integers, never as floating-point numbers.")
    if isinstance(value, bool) or value is None:
        raise AmountError("Enter an amount.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AmountError("Enter a number, e.g. 12.50.") from None
    if not amount.is_finite():
        raise AmountError("Enter a finite number.")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise AmountError(f"Use at most {places} decimal places.")
    if abs(amount) > AMOUNT_MAX:
        raise AmountError("The amount is too large (at most 999,999,999,999.9999).")
    if not allow_negative and amount < 0:
        raise AmountError("The amount cannot be negative.")
    return amount.quantize(AMOUNT_QUANTUM)


def parse_currency_amount(value: object, currency: str, *, allow_negative: bool = True) -> Decimal:
    """An amount that becomes a document total or a limit (add-funds, payments, credit notes,
    credit limits, prices of products not billed by the hour): at most the currency's minor unit
    of decimals (2 for USD, 0 for JPY). Trailing zeros are not decimals: "100.0000" is 100."""
    places = currency_minor_unit(currency)
    try:
        return parse_amount(value, places=places, allow_negative=allow_negative)
    except AmountError as error:
        if "decimal places" in str(error):
            raise AmountError(decimals_rule(currency)) from None
        raise


def decimals_rule(currency: str | None) -> str:
    """How many decimals an amount in this currency takes, for people (field errors, help texts)."""
    if not currency:
        return f"At most {AMOUNT_PLACES} decimal places."
    places = currency_minor_unit(currency)
    if places == 0:
        return f"{currency} amounts have no decimal places."
    return f"{currency} amounts have at most {places} decimal place{'s' if places != 1 else ''}."


def quantize_amount(amount: Decimal) -> Decimal:
    """Round to the ledger's 4 decimal places, half up."""
    return amount.quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)


def currency_minor_unit(currency: str) -> int:
    return get_currency_precision(currency)


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """Round a document amount to the currency's minor unit (2 for USD, 0 for JPY), half up."""
    return amount.quantize(Decimal(1).scaleb(-currency_minor_unit(currency)), rounding=ROUND_HALF_UP)


def amount_to_units(amount: Decimal) -> int:
    """Exact integer count of 1/10,000 currency units; refuses anything finer."""
    units = amount.scaleb(AMOUNT_PLACES)
    if units != units.to_integral_value():
        raise AmountError(f"Use at most {AMOUNT_PLACES} decimal places.")
    return int(units)


def units_to_amount(units: int) -> Decimal:
    return Decimal(units).scaleb(-AMOUNT_PLACES).quantize(AMOUNT_QUANTUM)


def format_api_amount(amount: Decimal) -> str:
    """Money in the API: a string with exactly 4 decimals ("12.3000")."""
    return str(amount.quantize(AMOUNT_QUANTUM))


def format_amount_input(amount: Decimal) -> str:
    """An amount as a person would type it: 2 decimals unless more are significant."""
    two = amount.quantize(Decimal("0.01"))
    return str(two) if two == amount else str(quantize_amount(amount))


def display_amount(amount: Decimal, currency: str = "", language: str = "en") -> str:
    """An amount for people: "-135,925.9536 USD" — at least 2 decimals, up to the ledger's 4, in
    the language's locale (pages, PDFs, e-mails)."""
    text = format_decimal(amount, format="#,##0.00##", locale=(language or "en").replace("-", "_"))
    return f"{text} {currency}".strip()
