"""Money values and the one place rounding happens.

Ledger amounts, balances and unit prices keep 4 decimal places; document totals are rounded to
the currency's minor unit. Always ROUND_HALF_UP, never float.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import get_currency_precision, get_currency_symbol, parse_pattern
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

AMOUNT_PLACES = 4
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
# SPEC §5: |amount| ≤ 999,999,999,999.9999 — fits a signed 64-bit integer of 1/10,000 units.
AMOUNT_MAX = Decimal("999999999999.9999")
# How a number is written as text here, in the API, forms (after ui.numbers reads the reader's
# language), CSV files and commands: a sign, ASCII digits, one decimal point. Decimal() reads more —
# "1e3" (1000: a typo becomes a thousand), "1_000", "١٢٣" and other scripts' digits — none of it
# what a person writing an amount means.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


class AmountError(ValueError):
    """The value is not an acceptable amount; the message says why, for a person (in the
    language active when it is raised)."""


class TooManyDecimals(AmountError):
    """More decimal places than the amount may have: told apart by its class, never by the words
    of its message (they are translated)."""


def _too_many_decimals(places: int) -> TooManyDecimals:
    return TooManyDecimals(ngettext("Use at most %(places)d decimal place.", "Use at most %(places)d decimal places.",
                                    places) % {"places": places})


def parse_decimal(value: object, *, float_refused: str, missing: str, not_a_number: str) -> Decimal:
    """A finite Decimal from what a person or a script sent (a Decimal, an integer or a string of
    plain digits with at most one decimal point); a float, a boolean, None, NaN, infinities and
    other notations (exponents, underscores, non-ASCII digits) are refused, in the caller's words
    (amounts, rates)."""
    if isinstance(value, float):
        raise AmountError(float_refused)
    if isinstance(value, bool) or value is None:
        raise AmountError(missing)
    text = None if isinstance(value, Decimal) else str(value).strip()
    try:
        number = value if text is None else Decimal(text)
    except (InvalidOperation, ValueError):
        raise AmountError(not_a_number) from None
    if not number.is_finite():
        raise AmountError(_("Enter a finite number."))
    if text is not None and not _PLAIN_NUMBER.fullmatch(text):
        raise AmountError(not_a_number)
    return number


def decimal_places(number: Decimal) -> int:
    """How many decimal places a finite number really has (trailing zeros are none: "1.50" has 1),
    counted on its digits as typed. Not with normalize() or abs(): they work in the decimal
    context, which rounds to 28 digits (so "5.000…0001" with 30 digits became 5, silently) and
    raises decimal.Overflow past an exponent of 999,999 ("1e1000000" was a 500 in a form)."""
    _sign, digits, exponent = number.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant or not isinstance(exponent, int):
        return 0
    return max(0, -(exponent + len(digits) - len(significant)))


def parse_amount(value: object, *, places: int = AMOUNT_PLACES, allow_negative: bool = True,
                 positive: bool = False) -> Decimal:
    """Turn user or API input into an exact Decimal, refusing floats, NaN, too many decimals and
    values outside the ledger's bounds; with positive, zero and less too ("must be more than
    zero"). The sign is judged before the size: -9223372036854775809 where only a positive amount
    goes is told so, not that it is too large."""
    amount = parse_decimal(
        value, float_refused=_("Send amounts as strings or integers, never as floating-point numbers."),
        missing=_("Enter an amount."), not_a_number=_("Enter a number, e.g. 12.50."))
    if positive and amount <= 0:
        raise AmountError(_("The amount must be more than zero."))
    if not allow_negative and amount < 0:
        raise AmountError(_("The amount cannot be negative."))
    if amount > AMOUNT_MAX:
        raise AmountError(_("The amount is too large (at most %(max)s).") % {"max": _bound(AMOUNT_MAX)})
    if amount < -AMOUNT_MAX:
        raise AmountError(_("The amount is too small (at least %(min)s).") % {"min": _bound(-AMOUNT_MAX)})
    if decimal_places(amount) > places:
        raise _too_many_decimals(places)
    return _to_ledger_places(amount)


def _bound(number: Decimal) -> str:
    """A bound named in a refusal, written as the reader writes numbers ("999 999 999 999,9999" in
    Polish), every decimal shown."""
    return _format_number(number, "#,##0.0000", get_language())


def parse_currency_amount(value: object, currency: str, *, allow_negative: bool = True,
                          positive: bool = False) -> Decimal:
    """An amount that becomes a document total or a limit (add-funds, payments, credit notes,
    credit limits, prices of products not billed by the hour): at most the currency's minor unit
    of decimals (2 for USD, 0 for JPY). Trailing zeros are not decimals: "100.0000" is 100."""
    places = currency_minor_unit(currency)
    try:
        return parse_amount(value, places=places, allow_negative=allow_negative, positive=positive)
    except TooManyDecimals:
        raise TooManyDecimals(decimals_rule(currency)) from None


def decimals_rule(currency: str | None) -> str:
    """How many decimals an amount in this currency takes, for people (field errors, help texts)."""
    if not currency:
        return _("At most %(places)d decimal places.") % {"places": AMOUNT_PLACES}
    places = currency_minor_unit(currency)
    if places == 0:
        return _("%(currency)s amounts have no decimal places.") % {"currency": currency}
    return ngettext("%(currency)s amounts have at most %(places)d decimal place.",
                    "%(currency)s amounts have at most %(places)d decimal places.", places) % {
        "currency": currency, "places": places}


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
        raise _too_many_decimals(AMOUNT_PLACES)
    return int(units)


def units_to_amount(units: int) -> Decimal:
    return Decimal(units).scaleb(-AMOUNT_PLACES).quantize(AMOUNT_QUANTUM)


def format_api_amount(amount: Decimal) -> str:
    """Money in the API: a string with exactly 4 decimals ("12.3000"); zero without a sign."""
    return str(_to_ledger_places(amount))


def _to_ledger_places(amount: Decimal) -> Decimal:
    amount = amount.quantize(AMOUNT_QUANTUM)
    # "-0" is zero: without its sign, so it is never answered or shown as "-0.0000".
    return amount.copy_abs() if amount.is_zero() else amount


def format_amount_input(amount: Decimal, currency: str = "") -> str:
    """An amount as a person would type it: the currency's decimals (2 without one: 3 for a Kuwaiti
    dinar, none for a yen) unless more are significant."""
    places = currency_minor_unit(currency) if currency else 2
    shown = amount.quantize(Decimal(1).scaleb(-places))
    return str(shown) if shown == amount else str(quantize_amount(amount))


@cache
def _number_format(pattern: str, language: str):
    """Babel's parsed pattern and locale, kept: format_decimal parses both on every call, which
    took three quarters of the time of a page listing hundreds of amounts."""
    return parse_pattern(pattern), Locale.parse((language or "en").replace("-", "_"))


def _format_number(number: Decimal, pattern: str, language: str) -> str:
    parsed, locale = _number_format(pattern, language or "en")
    return parsed.apply(number, locale)


@cache
def _money_format(currency: str, language: str):
    """The language's own currency pattern ("¤#,##0.00" in English, "#,##0.00 ¤" in Polish) with
    the currency's decimals at least (none for JPY) and the ledger's 4 at most."""
    locale = Locale.parse((language or "en").replace("-", "_"))
    minor = min(currency_minor_unit(currency), AMOUNT_PLACES)
    fraction = "." + "0" * minor + "#" * (AMOUNT_PLACES - minor)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", fraction)
    # CLDR's currency spacing, which Babel leaves out: a sign made of letters ("PLN", "CA$" is
    # not) is kept apart from the digits by a no-break space — "PLN 12.50", never "PLN12.50".
    symbol = get_currency_symbol(currency, locale)
    if pattern.startswith("¤") and symbol[-1:].isalpha() and not pattern.startswith("¤\u00a0"):
        pattern = "¤\u00a0" + pattern[1:]
    elif pattern.endswith("¤") and symbol[:1].isalpha() and not pattern.endswith("\u00a0¤"):
        pattern = pattern[:-1] + "\u00a0¤"
    return parse_pattern(pattern), locale


def display_amount(amount: Decimal, currency: str = "", language: str = "en") -> str:
    """An amount for people, in the language's locale with the currency's sign where the language
    has one: "-$135,925.9536", "CA$12.50" in English; "1 000,50 zł", "12,50 USD" in Polish — the
    currency's decimals at least, up to the ledger's 4 (pages, PDFs, e-mails). Without a currency:
    the number alone."""
    return _display_amount(str(amount), currency, language or "en")


def reader_amount(amount: Decimal, currency: str = "") -> str:
    """display_amount in the language of whoever reads it now (the active one): for messages and
    pages, not for what is stored or sent in a language of its own (e-mails, PDFs)."""
    return display_amount(amount, currency, get_language())


@lru_cache(maxsize=4096)
def _display_amount(amount: str, currency: str, language: str) -> str:
    # Kept by the amount's text: a list shows the same figures again and again (credit limits,
    # round prices), and Babel takes tens of microseconds for each.
    if not currency:
        return _format_number(Decimal(amount), "#,##0.00##", language)
    pattern, locale = _money_format(currency, language)
    return pattern.apply(Decimal(amount), locale, currency=currency, currency_digits=False)


def display_quantity(quantity: Decimal | str, language: str = "en", *, places: int = 4) -> str:
    """A quantity for people, without trailing zeros ("1.5", "1,5" in Polish; "2", not "2.0000");
    at most `places` decimals (an exchange rate has six)."""
    return _format_number(Decimal(quantity), "#,##0." + "#" * places, language)


def display_percent(rate: Decimal | str, language: str = "en") -> str:
    """A tax rate for people, without trailing zeros ("23%", "9.975%", "5%"; "9,975%" in Polish):
    rates are kept to 3 decimals ("23.000"), but nobody prints a rate that way."""
    return f"{_format_number(Decimal(rate), '#,##0.###', language)}%"
