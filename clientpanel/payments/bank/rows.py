"""One booking of a bank statement (BankRow) read from its line's cells: the booking date, the
amount as banks write it (decimal comma or point, spaces as thousands separators, a currency beside
it), the currency code, the title and the counterparty. A cell that cannot be read is a ValueError
naming it, for a person."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.core.money import AMOUNT_MAX, currency_minor_unit, decimal_places

TITLE_LENGTH, NAME_LENGTH, ACCOUNT_LENGTH, REFERENCE_LENGTH = 500, 300, 100, 100


# --- cells -----------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f']")


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


def parse_bank_amount(value: str) -> tuple[Decimal, str]:
    """An amount as banks write it — "1 234,56", "-1.234,56", "1,234.56", "+120.00 PLN" — and the
    currency written with it, if any. The last of "," and "." is the decimal separator when both
    appear; one alone is decimal when it appears once, and groups thousands when repeated."""
    text = _SPACES.sub("", value.strip()).replace("\u2212", "-")
    currency = ""
    found = re.fullmatch(r"([A-Za-z]{3})?([-+]?[\d.,]+)([A-Za-z]{3})?", text)
    if not found or not re.search(r"\d", found.group(2)):
        raise _not_an_amount(value)
    currency = (found.group(1) or found.group(3) or "").upper()
    number = found.group(2)
    sign = "-" if number.startswith("-") else ""
    number = number.lstrip("+-")
    commas, points = number.count(","), number.count(".")
    if commas and points:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        if number.count(decimal_mark) > 1:
            raise _not_an_amount(value)
        number = number.replace(grouping, "").replace(decimal_mark, ".")
    elif commas:
        number = number.replace(",", ".") if commas == 1 else number.replace(",", "")
    elif points > 1:
        number = number.replace(".", "")
    try:
        amount = Decimal(sign + number)
    except InvalidOperation:
        raise _not_an_amount(value) from None
    # copy_abs, not abs(): abs() rounds in the decimal context, which overflows past an exponent
    # of 999,999 (a cell of a million digits).
    if amount.copy_abs() > AMOUNT_MAX:
        raise ValueError(_("the amount %(value)s is too large") % {"value": value.strip()[:40]})
    return amount, currency


_LONE_THOUSANDS = re.compile(r"([A-Za-z]{3})?([-+]?)(\d{1,3})[.,](\d{3})([A-Za-z]{3})?")


def in_whole_units(value: str) -> Decimal | None:
    """The amount a cell such as "12,000" or "-3.500 JPY" — one separator, then three digits —
    stands for in a currency without decimals (yen are written so): a thousands separator, since
    the currency has no decimals for it to mark (12000, not 12.000 = 12). None for any other cell."""
    found = _LONE_THOUSANDS.fullmatch(_SPACES.sub("", value.strip()).replace("\u2212", "-"))
    return Decimal(found.group(2) + found.group(3) + found.group(4)) if found else None


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise ValueError(_("\"%(value)s\" is not a currency code (PLN, EUR…)") % {"value": value.strip()[:20]})
    return code


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
