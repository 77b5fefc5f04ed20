"""What the system writes on a ledger entry, and how it reads in the reader's language.

An entry the system posts (a payment, a service charge, a refund, a reversal) keeps a code and its
parameters beside the English `description` the API has always returned; `describe` shows it in
the active language. Free text (manual transactions) has no code and shows as typed. Entries
posted before the codes existed are recognised by their exact English wording, and only on entries
tied to a document or a service, which staff's free text never is (docs/decisions.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol, parse_pattern
from django.utils.translation import get_language, gettext, gettext_noop

from clientpanel.core.money import AMOUNT_PLACES, currency_minor_unit, display_amount
from clientpanel.core.wording import in_reader_language, kept_params, parts, placements, recognised

PAYMENT = "payment"
REFUND = "refund"
CHARGE_REVERSAL = "charge_reversal"
SERVICE_PERIOD = "service_period"
SERVICE_HOUR = "service_hour"
SERVICE_SETUP = "service_setup"
SERVICE_ONE_TIME = "service_one_time"
SERVICE_CHARGE_REVERSAL = "service_reversal"  # a charge of a service never provisioned, given back

# The English text, also the message translated: one wording for what is stored and what is shown.
WORDING = {
    PAYMENT: gettext_noop("Payment for %(number)s"),
    REFUND: gettext_noop("Refund %(note)s for %(invoice)s"),
    CHARGE_REVERSAL: gettext_noop("Charge reversed by %(note)s for items of %(invoice)s"),
    SERVICE_PERIOD: gettext_noop("Service:%(service)s, %(period)s × %(amount)s"),
    SERVICE_HOUR: gettext_noop("Service:%(service)s, 1h × %(rate)s per hour"),
    SERVICE_SETUP: gettext_noop("Service:%(service)s, setup fee"),
    SERVICE_ONE_TIME: gettext_noop("Service:%(service)s, one-time"),
    SERVICE_CHARGE_REVERSAL: gettext_noop("Service:%(service)s, charge of %(amount)s reversed (never provisioned)"),
}
# A service's charge as the lists show it once they know the service's name (ledger.selectors.
# ServiceNames: "VPS D4E0GV"), where the English kept the service's ID.
NAMED_WORDING = {
    SERVICE_PERIOD: gettext_noop("%(name)s, %(period)s × %(amount)s"),
    SERVICE_HOUR: gettext_noop("%(name)s, 1h × %(rate)s per hour"),
    SERVICE_SETUP: gettext_noop("%(name)s, setup fee"),
    SERVICE_ONE_TIME: gettext_noop("%(name)s, one-time"),
    SERVICE_CHARGE_REVERSAL: gettext_noop("%(name)s, charge of %(amount)s reversed (never provisioned)"),
}
# A billing period's length, as a service charge names it.
PERIOD_WORDS = {"DAILY": gettext_noop("1 day"), "WEEKLY": gettext_noop("1 week"), "MONTHLY": gettext_noop("1 month"),
                "QUARTERLY": gettext_noop("3 months"), "SEMIANNUALLY": gettext_noop("6 months"),
                "ANNUALLY": gettext_noop("1 year"), "BIENNIALLY": gettext_noop("2 years"),
                "TRIENNIALLY": gettext_noop("3 years")}


def described(code: str, **params: Any) -> dict:
    """The description columns of an entry the system posts: entry_post(**described(PAYMENT,
    number=…)). Parameters are kept as text (numbers as str(Decimal), which the English shows)."""
    params = kept_params(params)
    return {"description": english(code, params), "description_code": code, "description_params": params}


def english(code: str, params: dict) -> str:
    shown = dict(params)
    if "period" in shown:
        shown["period"] = PERIOD_WORDS[shown["period"]]
    return WORDING[code] % shown


def service_charge(*, service_id, period: str | None, amount: Decimal, hourly: bool = False,
                   setup: bool = False) -> dict:
    """The description columns of a service's charge: a setup fee, a ONE_TIME price (no period),
    an hour of an hourly price, or a whole period."""
    if setup:
        return described(SERVICE_SETUP, service=service_id)
    if hourly:
        return described(SERVICE_HOUR, service=service_id, rate=amount)
    if period is None or period not in PERIOD_WORDS:
        return described(SERVICE_ONE_TIME, service=service_id)
    return described(SERVICE_PERIOD, service=service_id, period=period, amount=amount)


def describe(entry) -> str:
    """The entry's description in the active language: a known code's wording translated, with
    amounts in the reader's format and the service by its name where the list read it (the
    entry's `service_name`); free text and anything unrecognised exactly as stored."""
    code, params = entry.description_code, entry.description_params
    if not code:
        code, params = _recognised(entry)
    if code not in WORDING:
        return entry.description
    name, wording = getattr(entry, "service_name", None), WORDING[code]
    if name and code in NAMED_WORDING and isinstance(params, dict):
        wording, params = NAMED_WORDING[code], {**params, "name": name}
    return in_reader_language(wording, params, entry.description, _formats(_currency_of(entry)))


@lru_cache(maxsize=64)
def _number_format(pattern: str, language: str):
    """Babel's parsed pattern and locale, kept: parsing them took most of a list's time."""
    return parse_pattern(pattern), Locale.parse(language.replace("-", "_"))


def _currency_of(entry) -> str:
    """The client's currency where the list loaded the client with its entries (every list does:
    no query per row here); "" otherwise, read as two decimals."""
    descriptor = getattr(type(entry), "client", None)
    return entry.client.currency if descriptor is not None and descriptor.is_cached(entry) else ""


@lru_cache(maxsize=64)
def _formats(currency: str) -> dict:
    """The parameters read in the reader's format: a period's length in words, a period's amount
    and an hour's rate with the currency's decimals at least ("1 000" yen, "12.300" dinars, "10.00"
    dollars), up to the ledger's 4 (an hourly rate such as 0.9271)."""
    minor = min(currency_minor_unit(currency), AMOUNT_PLACES) if currency else 2
    pattern = "#,##0." + "0" * minor + "#" * (AMOUNT_PLACES - minor)

    def amount(value: str) -> str:
        if not currency:
            return display_amount(Decimal(value), "", get_language())
        parsed, locale = _number_format(pattern, get_language() or "en")
        return parsed.apply(Decimal(value), locale)

    return {"period": lambda value: gettext(PERIOD_WORDS[value]), "amount": amount, "rate": amount}


_OLD = {  # the wording written before the codes, by entry type
    "PAYMENT": [(PAYMENT, re.compile(r"Payment for (?P<number>.+)"))],
    "REFUND": [(REFUND, re.compile(r"Refund (?P<note>.+?) for (?P<invoice>.+)"))],
    "ADJUSTMENT": [(CHARGE_REVERSAL, re.compile(r"Charge reversed by (?P<note>.+?) for items of (?P<invoice>.+)"))],
    "CHARGE": [
        (SERVICE_HOUR, re.compile(r"Service:(?P<service>[0-9a-f-]{32,36}), 1h × (?P<rate>[0-9.]+) per hour")),
        (SERVICE_PERIOD, re.compile(r"Service:(?P<service>[0-9a-f-]{32,36}), (?P<period>"
                                    + "|".join(map(re.escape, PERIOD_WORDS.values())) + r") × (?P<amount>[0-9.]+)")),
        (SERVICE_SETUP, re.compile(r"Service:(?P<service>[0-9a-f-]{32,36}), setup fee")),
        (SERVICE_ONE_TIME, re.compile(r"Service:(?P<service>[0-9a-f-]{32,36}), one-time")),
    ],
}
_PERIOD_OF_WORDS = {words: period for period, words in PERIOD_WORDS.items()}


def _recognised(entry) -> tuple[str, dict | None]:
    """An entry from before the codes: its code and parameters read back from the exact English,
    only where the system wrote it (tied to a document or a service; free text never is)."""
    if entry.document_id is None and entry.service_id is None:
        return "", None
    code, params = recognised(entry.description, _OLD.get(entry.type, ()))
    if params and "period" in params:
        params["period"] = _PERIOD_OF_WORDS[params["period"]]
    return code, params

# The type of entry each code is written on, which entries from before the codes are searched in
# (entries of another type never read as it); a code born with its code (no entry without one has its
# wording) is named too, as every code the search reads must be.
OLD_TYPES = {code: entry_type for entry_type, patterns in _OLD.items() for code, _pattern in patterns} | {
    SERVICE_CHARGE_REVERSAL: "ADJUSTMENT"}
AMOUNTS = frozenset({"amount", "rate"})  # the parameters shown as amounts in the reader's format


@dataclass(frozen=True)
class Reading:
    """One way the entries of a code can show a search word in the active language (for
    ledger.selectors, which turns it into conditions): `named` True where the list names the
    service, False where it cannot (the service is gone), None either way; `periods` the
    lengths the word needs (() for any); `old` the English the code's entries keep, cut into its
    fixed text and parameters (one per period where the word needs some): entries from before the
    codes are recognised by it, and a period's words read in it; `ways` the parameters' pieces
    the word needs (core.wording.placements; ((),) for none)."""

    code: str
    named: bool | None
    periods: tuple[str, ...]
    old: tuple[tuple[tuple[str | None, str], ...], ...]
    ways: tuple[tuple[tuple[str, str], ...], ...]


def readings(word: str, *, named: bool) -> tuple[Reading, ...]:
    """Every code whose wording in the active language can hold `word` (where `named`, the list
    names services as describe does with `service_name`)."""
    return _readings(word, named, get_language() or "en")


@lru_cache(maxsize=2048)
def _readings(word: str, named: bool, _language: str) -> tuple[Reading, ...]:
    found = []
    for code, wording in WORDING.items():
        periods_by_ways: dict[tuple, list[str]] = {}
        for period in PERIOD_WORDS if code == SERVICE_PERIOD else [""]:
            filled = {"period": gettext(PERIOD_WORDS[period])} if period else {}

            def ways_in(shown: str, filled=filled) -> set:
                return set(placements(parts(gettext(shown), **filled), word))

            kinds = _by_name(ways_in(NAMED_WORDING[code]), ways_in(wording)) if named and code in NAMED_WORDING \
                else {None: ways_in(wording)}
            for name_known, ways in kinds.items():
                if ways:
                    key = (name_known, ((),) if () in ways else tuple(sorted(ways)))
                    periods_by_ways.setdefault(key, []).append(period)
        for (name_known, ways), periods in periods_by_ways.items():
            some = tuple(periods) if periods != [""] and len(periods) < len(PERIOD_WORDS) else ()
            old = tuple(parts(wording, period=PERIOD_WORDS[p]) for p in some) or (parts(wording),)
            found.append(Reading(code, name_known, some, old, ways))
    return tuple(found)


def _by_name(named: set, unnamed: set) -> dict:
    """The ways a service's charge shows the word, by whether that needs the service named or
    gone (True, False) or either (None) — a check per row, so asked only where it decides: not
    where both wordings show the word alike, nor where the way needs a piece of the name (only a
    service that exists has one) or of the ID (which the stored English, searched too, holds)."""
    def needs(ways: set, param: str) -> set:
        return {way for way in ways if not any(name == param for name, _piece in way)}

    named_only, gone_only = needs(named - unnamed, "name"), needs(unnamed - named, "service")
    return {None: (named | unnamed) - named_only - gone_only, True: named_only, False: gone_only}


def amount_digits(piece: str) -> str | None:
    """A piece of an amount as the reader sees it ("1,234.5" in English, "234,5" in Polish) as
    the stored parameter and English have it ("1234.5", which "1234.5000" contains: amounts show
    the stored digits, trailing zeros past two decimals left out); None where no amount shows it."""
    decimal, group, minus = _number_symbols(get_language() or "en")
    if not all(char in "0123456789" or char in (decimal, group, minus) for char in piece):
        return None
    return piece.replace(group, "").replace(decimal, ".").replace(minus, "-")


@lru_cache(maxsize=16)
def _number_symbols(language: str) -> tuple[str, str, str]:
    locale = Locale.parse(language.replace("-", "_"))
    return get_decimal_symbol(locale), get_group_symbol(locale), get_minus_sign_symbol(locale)
