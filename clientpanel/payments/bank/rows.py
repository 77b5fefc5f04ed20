"""One booking of a bank statement (BankRow) read from its line's cells: the booking date, the
amount as banks write it (decimal comma or point, spaces as thousands separators, a currency beside
it), the currency code, the title and the counterparty. A cell that cannot be read is a ValueError
naming it, for a person."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import is_currency
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.core.money import AMOUNT_MAX, currency_minor_unit, decimal_places

TITLE_LENGTH, NAME_LENGTH, ACCOUNT_LENGTH, REFERENCE_LENGTH = 500, 300, 100, 100


# --- cells -----------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d")


def parse_date(value: str) -> dt.date:
    """A booking date: ISO (2026-11-22), or day first (22.11.2026, 22-11-2026, 22/11/2026, as
    European banks write it); a time after it is left out."""
    text = value.strip().split("T")[0].split(" ")[0]
    for pattern in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not dt.date(2000, 1, 1) <= day <= timezone.localdate() + dt.timedelta(days=1):
            raise ValueError(_("the date %(date)s is out of range") % {"date": value.strip()})
        return day
    raise ValueError(_("\"%(value)s\" is not a date (use 2026-11-22 or 22.11.2026)") % {"value": value.strip()[:40]})


def _not_an_amount(value: str) -> ValueError:
    return ValueError(_("\"%(value)s\" is not an amount (e.g. 1 234,56 or 1234.56)") % {"value": value.strip()[:40]})


def _badly_grouped(value: str) -> ValueError:
    return ValueError(_("\"%(value)s\" is not an amount: a thousands separator stands before every three "
                        "digits (e.g. 1 234 567,89 or 1,234,567.89)") % {"value": value.strip()[:40]})


@dataclass(frozen=True)
class _Written:
    """A cell's amount taken apart: its sign, the digits before the decimal separator (grouping
    removed), those after it (None: no decimal separator), the currency written beside it, and
    the separator it had when it had exactly one, between 1–3 digits and 3 (12,000 or 3.500)."""

    sign: str
    whole: str
    fraction: str | None
    currency: str
    lone_mark_of_three: bool


_NUMBER = re.compile(r"[0-9.,'\s]+")  # ASCII digits only: "١٢٣" is no bank's amount
_GROUPING = re.compile(r"[\s']")  # spaces of any width and the Swiss apostrophe group thousands


def _written(value: str) -> _Written:
    """A cell taken apart by the rule: a thousands separator (a space, an apostrophe, or the one of
    "," and "." that is not the decimal one) stands before every three digits, after a first group
    of one to three; a decimal separator appears once, after every grouping one, with digits on
    both sides. "," or "." alone and once is the decimal separator; repeated, it groups. Anything
    else is refused (a ValueError naming the cell) — never read some other way."""
    text = value.strip().replace("\u2212", "-")
    currency = ""
    if text[:3].isascii() and text[:3].isalpha():
        currency, text = text[:3].upper(), text[3:].strip()
    if text[-3:].isascii() and text[-3:].isalpha():
        if currency:
            raise _not_an_amount(value)
        currency, text = text[-3:].upper(), text[:-3].strip()
    sign = text[:1] if text[:1] in "+-" else ""
    number = text[len(sign):].strip()
    if not number or not _NUMBER.fullmatch(number) or not (number[0].isdigit() and number[-1].isdigit()):
        raise _not_an_amount(value)
    number = _GROUPING.sub(" ", number)
    commas, points = number.count(","), number.count(".")
    if commas and points:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
    elif commas == 1 or points == 1:
        decimal_mark = "," if commas else "."
    else:
        decimal_mark = ""
    if decimal_mark and number.count(decimal_mark) > 1:
        raise _not_an_amount(value)
    whole, fraction = number.split(decimal_mark) if decimal_mark else (number, None)
    marks = set(whole) - set("0123456789")
    if len(marks) > 1 or (fraction is not None and not (fraction.isdigit() and fraction.isascii())):
        raise _badly_grouped(value)
    groups = whole.split(marks.pop()) if marks else [whole]
    if not (1 <= len(groups[0]) <= 3 or len(groups) == 1) or any(len(group) != 3 for group in groups[1:]):
        raise _badly_grouped(value)
    if not all(group.isdigit() for group in groups):
        raise _badly_grouped(value)
    lone = (len(groups) == 1 and len(groups[0]) <= 3 and fraction is not None and len(fraction) == 3
            and " " not in number)
    return _Written(sign, "".join(groups), fraction, currency, lone)


def parse_bank_amount(value: str) -> tuple[Decimal, str]:
    """An amount as banks write it — "1 234,56", "-1.234,56", "1,234.56", "+120.00 PLN" — and the
    currency written with it, if any (see _written for the rule). A cell whose separators do not
    fit the rule ("1,234,56", "12,34,567", "1.234.56") is a ValueError naming it, never guessed."""
    written = _written(value)
    try:
        amount = Decimal(written.sign + written.whole + ("." + written.fraction if written.fraction else ""))
    except InvalidOperation:
        raise _not_an_amount(value) from None
    # copy_abs, not abs(): abs() rounds in the decimal context, which overflows past an exponent
    # of 999,999 (a cell of a million digits).
    if amount.copy_abs() > AMOUNT_MAX:
        raise ValueError(_("the amount %(value)s is too large") % {"value": value.strip()[:40]})
    return amount, written.currency


def in_whole_units(value: str) -> Decimal | None:
    """The amount a cell such as "12,000" or "-3.500 JPY" — one separator, then three digits —
    stands for in a currency without decimals (yen are written so): a thousands separator, since
    the currency has no decimals for it to mark (12000, not 12.000 = 12). None for any other cell
    (and for one that is no amount at all)."""
    try:
        written = _written(value)
    except ValueError:
        return None
    if not written.lone_mark_of_three or written.fraction is None:
        return None
    return Decimal(written.sign + written.whole + written.fraction)


_KNOWN_NOT_MONEY = {"XXX", "XTS"}  # ISO 4217's "no currency" and "for testing"


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValueError(_("\"%(value)s\" is not a currency code (PLN, EUR…)") % {"value": value.strip()[:20]})
    if not is_known_currency(code):
        raise ValueError(_("%(code)s is not a currency (ISO 4217 codes: PLN, EUR…)") % {"code": code})
    return code


def is_known_currency(code: str) -> bool:
    """Whether a code names a real currency of ISO 4217 (as CLDR knows them), not one made up."""
    return code not in _KNOWN_NOT_MONEY and is_currency(code)


def _clip(value: str, length: int) -> str:
    return " ".join(value.split())[:length]


# --- rows ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BankRow:
    """One booking read from the statement; the line is where it is in the file (line 1 is the
    file's first line)."""

    line: int
    booked_on: dt.date
    amount: Decimal
    currency: str
    title: str
    counterparty_name: str = ""
    counterparty_account: str = ""
    bank_reference: str = ""


@dataclass(frozen=True)
class Statement:
    rows: list[BankRow]
    headers: list[str]
    columns: dict[str, list[int]]


def row_of(line: int, cells: list[str], columns: dict[str, list[int]], currency: str) -> BankRow:
    """The booking on a line of the file, from the cells of the columns found (columns.columns_of);
    currency: the statement's when neither a column nor the amount names one. Every cell that cannot
    be read is named in the ValueError raised."""
    def cell(field: str) -> str:
        indexes = columns.get(field, [])
        return cells[indexes[0]].strip() if indexes and indexes[0] < len(cells) else ""

    problems = []
    booked_on = amount = None
    try:
        booked_on = parse_date(cell("date"))
    except ValueError as error:
        problems.append(str(error))
    written_currency = ""
    try:
        amount, written_currency = parse_bank_amount(cell("amount"))
    except ValueError as error:
        problems.append(str(error))
    code = ""
    try:
        code = _currency(cell("currency") or written_currency or currency) if (
            cell("currency") or written_currency or currency) else ""
    except ValueError as error:
        problems.append(str(error))
    if not code:
        problems.append(_("no currency (the file has no currency column: choose the statement's currency)"))
    if amount is not None and code and currency_minor_unit(code) == 0 and in_whole_units(cell("amount")) is not None:
        amount = in_whole_units(cell("amount"))
    if amount is not None and code and decimal_places(amount) > currency_minor_unit(code):
        problems.append(_("%(amount)s has more decimals than %(currency)s has") % {"amount": cell("amount"),
                                                                                   "currency": code})
    if amount is not None and amount == 0:
        problems.append(_("the amount is zero"))
    titles = [cells[index].strip() for index in columns["title"] if index < len(cells)]
    title = " · ".join(text for text in titles if text)
    if problems:
        raise ValueError("; ".join(problems))
    return BankRow(line=line, booked_on=booked_on, amount=amount, currency=code, title=_clip(title, TITLE_LENGTH),
                   counterparty_name=_clip(cell("counterparty_name"), NAME_LENGTH),
                   counterparty_account=_clip(cell("counterparty_account"), ACCOUNT_LENGTH).replace(" ", ""),
                   bank_reference=_clip(cell("bank_reference"), REFERENCE_LENGTH))
