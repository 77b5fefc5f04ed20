"""Reading a bank statement exported as CSV: UTF-8 (with or without a BOM), Windows-1250 or
ISO-8859-2 (Polish banks' exports), commas or semicolons, quoted fields. The header line is found
among the first lines (exports often begin with the account's details), its columns by their names
in English or Polish; amounts with a decimal comma or point and spaces as thousands separators.

Whatever makes the file unusable — not text, another encoding, no recognisable header, a missing
required column, too large, too many lines, or any line that cannot be read — is a ValidationFailed
on "file" whose message is for a person (the first bad lines each named): nothing is written then."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import AMOUNT_MAX, currency_minor_unit

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 50_000
HEADER_SEARCH_LINES = 30  # the header may follow the account's details
ROW_ERRORS_SHOWN = 10
TITLE_LENGTH, NAME_LENGTH, ACCOUNT_LENGTH, REFERENCE_LENGTH = 500, 300, 100, 100

csv.field_size_limit(max(csv.field_size_limit(), 1024 * 1024))


def max_bytes() -> int:
    return int(getattr(settings, "CLIENTPANEL_BANK_STATEMENT_MAX_BYTES", MAX_BYTES))


def max_lines() -> int:
    return int(getattr(settings, "CLIENTPANEL_BANK_STATEMENT_MAX_LINES", MAX_LINES))


def too_large_message() -> str:
    return _("The file is larger than %(limit)s MB; export a shorter period.") % {
        "limit": f"{max_bytes() / (1024 * 1024):g}"}


def file_refused(message: str, details: list[str] | None = None) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message, *(details or [])]})


# --- columns ---------------------------------------------------------------------------------

def _folded(header: str) -> str:
    """A header as it is compared: lowercase, without diacritics (ł as l), punctuation as spaces."""
    text = unicodedata.normalize("NFKD", header.replace("ł", "l").replace("Ł", "L"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Each field's header names, most specific first (folded). Title: every column named so is read
# (a title and a description), joined.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("booking date", "date booked", "posting date", "data ksiegowania", "transaction date",
             "data operacji", "data transakcji", "operation date", "value date", "data waluty", "date", "data"),
    "amount": ("amount", "kwota", "kwota operacji", "kwota transakcji", "kwota przelewu", "credit amount",
               "transaction amount", "wartosc"),
    "currency": ("currency", "waluta", "waluta operacji", "waluta transakcji", "waluta rachunku"),
    "title": ("title", "tytul", "tytul operacji", "tytul przelewu", "tytulem", "description", "opis",
              "opis operacji", "opis transakcji", "details", "szczegoly", "payment details", "remittance information"),
    "counterparty_name": ("counterparty", "counterparty name", "nadawca", "kontrahent", "nazwa kontrahenta",
                          "dane kontrahenta", "nadawca odbiorca", "odbiorca nadawca", "nazwa nadawcy", "payer",
                          "payer name", "sender", "sender name", "name"),
    "counterparty_account": ("account", "counterparty account", "rachunek", "rachunek kontrahenta",
                             "rachunek nadawcy", "numer rachunku", "nr rachunku", "konto", "iban",
                             "payer account", "sender account"),
    "bank_reference": ("reference", "bank reference", "transaction id", "transaction reference",
                       "nr referencyjny", "numer referencyjny", "id transakcji", "identyfikator transakcji",
                       "numer transakcji", "nr transakcji"),
}
REQUIRED = ("date", "amount", "title")


# The usual headers of each field as banks write them, for the upload page.
SHOWN_NAMES: dict[str, str] = {
    "date": "Date, Booking date, Data księgowania, Data operacji",
    "amount": "Amount, Kwota, Kwota operacji",
    "title": "Title, Description, Tytuł, Opis, Opis operacji",
    "currency": "Currency, Waluta",
    "counterparty_name": "Counterparty, Sender, Nadawca, Kontrahent",
    "counterparty_account": "Account, IBAN, Rachunek, Numer rachunku",
    "bank_reference": "Reference, Transaction ID, Nr referencyjny, ID transakcji",
}


def column_names() -> dict[str, str]:
    """The usual header names of each field, for the upload page (COLUMNS holds them all)."""
    return dict(SHOWN_NAMES)


def _columns_of(headers: list[str]) -> dict[str, list[int]]:
    """The column index(es) of each field found in the headers: the first header of each name in
    the field's order of preference (every title-like column for the title)."""
    folded = [_folded(header) for header in headers]
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    for field, names in COLUMNS.items():
        indexes = []
        for name in names:
            for index, header in enumerate(folded):
                if header == name and index not in taken:
                    indexes.append(index)
                    if field != "title":
                        break
            if indexes and field != "title":
                break
        if indexes:
            found[field] = sorted(indexes) if field == "title" else indexes
            taken.update(indexes)
    return found


# --- the file --------------------------------------------------------------------------------

POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not); otherwise a Polish single-byte encoding — Windows-1250
    when it uses the bytes 0x80–0x9F (control characters in ISO-8859-2), else whichever of the two
    reads more Polish letters (their ą, ś, ź sit at different bytes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_refused(_("The file is UTF-16 text; export the statement as CSV in UTF-8 or Windows-1250."))
    if b"\x00" in data[:65536]:
        raise file_refused(_("This is not a CSV file: it holds binary data (a PDF, a spreadsheet or an archive?). "
                             "Export the statement as CSV."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in ("cp1250", "iso-8859-2"):
        try:
            readings.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if any(0x80 <= byte <= 0x9F for byte in data) and len(readings) == 2:
        readings = readings[:1]
    if not readings:
        raise file_refused(_("The file's encoding is not UTF-8, Windows-1250 or ISO-8859-2; export the statement "
                             "as CSV in one of them."))
    return max(readings, key=lambda text: sum(1 for char in text if char in POLISH_LETTERS))


def _header(text: str) -> tuple[int, str, list[str], dict[str, list[int]]]:
    """Where the header is (its index among the lines), the delimiter, the headers and the
    columns found: the first of the first lines whose cells, split by ; or , (or a tab), name the
    most of our fields, the required ones included."""
    best: tuple[int, int, str, list[str], dict[str, list[int]]] | None = None
    lines = text.splitlines()[:HEADER_SEARCH_LINES]
    for index, line in enumerate(lines):
        for delimiter in (";", ",", "\t"):
            try:
                headers = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
            except csv.Error:
                continue
            columns = _columns_of(headers)
            score = sum(field in columns for field in REQUIRED) * 10 + len(columns)
            if best is None or score > best[0]:
                best = (score, index, delimiter, headers, columns)
        if best is not None and all(field in best[4] for field in REQUIRED):
            break
    if best is None or not best[4]:
        raise file_refused(_("No header line naming the columns was found (Date, Amount, Title…): is this a bank "
                             "statement exported as CSV?"))
    _score, index, delimiter, headers, columns = best
    return index, delimiter, headers, columns


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
    if abs(amount) > AMOUNT_MAX:
        raise ValueError(_("the amount %(value)s is too large") % {"value": value.strip()[:40]})
    return amount, currency


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


def _row(line: int, cells: list[str], columns: dict[str, list[int]], currency: str) -> BankRow:
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
    if amount is not None and code and -amount.as_tuple().exponent > currency_minor_unit(code):
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


def read_statement(data: bytes, *, currency: str = "") -> Statement:
    """The bookings of a statement file (all of them, or a ValidationFailed naming why the file or
    which of its lines cannot be read). currency: the statement's currency when the file has no
    currency column. The table ends at the first blank line after it began (the totals banks add
    below it are not bookings)."""
    if len(data) > max_bytes():
        raise file_refused(too_large_message())
    if not data.strip():
        raise file_refused(_("The file is empty."))
    text = decode(data)
    header_index, delimiter, headers, columns = _header(text)
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        names = {"date": _("a date (Date, Data operacji, Data księgowania)"), "amount": _("an amount (Amount, Kwota)"),
                 "title": _("a title (Title, Tytuł, Opis)")}
        raise file_refused(_("The statement has no column for %(missing)s. Its columns: %(headers)s.") % {
            "missing": ", ".join(str(names[field]) for field in missing),
            "headers": ", ".join(h for h in headers if h)[:300]})
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=True)
    rows: list[BankRow] = []
    errors: list[str] = []
    bad = 0
    limit = max_lines()
    line = 0
    try:
        for _index in range(header_index + 1):
            next(reader)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                if rows or bad:
                    break  # the end of the table: totals may follow
                continue
            if len(rows) + bad >= limit:
                raise file_refused(ngettext("The statement has more than %(limit)d line; export a shorter period.",
                                            "The statement has more than %(limit)d lines; export a shorter period.",
                                            limit) % {"limit": limit})
            try:
                rows.append(_row(line, cells, columns, currency))
            except ValueError as error:
                bad += 1
                if len(errors) < ROW_ERRORS_SHOWN:
                    errors.append(_("Line %(line)d: %(problem)s.") % {"line": line, "problem": error})
    except csv.Error as error:
        raise file_refused(_("Line %(line)d cannot be read as CSV (%(reason)s).") % {"line": line, "reason": error}
                           ) from None
    if bad and not rows and "currency" not in columns and not currency:
        raise file_refused(_("The statement has no currency column: choose its currency and upload it again."))
    if bad:
        raise file_refused(ngettext("%(count)d line of the statement cannot be read; nothing was imported.",
                                    "%(count)d lines of the statement cannot be read; nothing was imported.",
                                    bad) % {"count": bad}, errors)
    if not rows:
        raise file_refused(_("The statement has a header line but no bookings below it."))
    return Statement(rows=rows, headers=headers, columns=columns)


# --- identity --------------------------------------------------------------------------------

def fingerprints(rows: list[BankRow]) -> list[str]:
    """A stable identity of each booking, the same whichever file it is read from: the bank's
    reference when the statement has one (with the date and amount, as references are unique per
    bank and day at best), else what the booking says — date, amount, currency, title,
    counterparty — and how many identical bookings came before it in the file (two equal
    transfers on one day are two payments)."""
    seen: Counter[str] = Counter()
    result = []
    for row in rows:
        if row.bank_reference:
            basis = "\x1f".join(("ref", row.bank_reference.upper(), f"{row.booked_on:%Y-%m-%d}",
                                 f"{row.amount.normalize():f}", row.currency))
        else:
            basis = "\x1f".join(("line", f"{row.booked_on:%Y-%m-%d}", f"{row.amount.normalize():f}", row.currency,
                                 " ".join(row.title.upper().split()), " ".join(row.counterparty_name.upper().split()),
                                 row.counterparty_account.upper()))
            seen[basis] += 1
            basis += f"\x1f{seen[basis]}"
        result.append(hashlib.sha256(basis.encode()).hexdigest())
    return result
