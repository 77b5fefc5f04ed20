"""Reading a bank statement exported as CSV: UTF-8 (with or without a BOM), Windows-1250 or
ISO-8859-2 (Polish banks' exports), commas or semicolons, quoted fields. The header line is found
among the first lines (exports often begin with the account's details), its columns by their names
in English or Polish; amounts with a decimal comma or point and spaces as thousands separators.

Whatever makes the file unusable — not text, another encoding, no recognisable header, a missing
required column, too large, too many lines, or any line that cannot be read — is a ValidationFailed
on "file" whose message is for a person (the first bad lines each named): nothing is written then.

Here: the file (its size, encoding and header line) and its table read whole; which column is which
in columns.py, each line's cells in rows.py."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.core.errors import ValidationFailed

from .columns import REQUIRED, columns_of
from .rows import BankRow, row_of

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 50_000
HEADER_SEARCH_LINES = 30  # the header may follow the account's details
ROW_ERRORS_SHOWN = 10

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
    with suppress(UnicodeDecodeError):
        return data.decode("utf-8-sig")
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
            columns = columns_of(headers)
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


# --- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    """The bookings read from a statement file, with its header line's cells and the columns found."""

    rows: list[BankRow]
    headers: list[str]
    columns: dict[str, list[int]]


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
                rows.append(row_of(line, cells, columns, currency))
            except ValueError as error:
                bad += 1
                if len(errors) < ROW_ERRORS_SHOWN:
                    errors.append(_("Line %(line)d: %(problem)s.") % {"line": line, "problem": error})
    except csv.Error as error:
        raise file_refused(_("Line %(line)d cannot be read as CSV (%(reason)s).") % {"line": line, "reason": error}
                           ) from None
    if bad and not rows and "currency" not in columns and not currency:
        # The lines' own reasons follow: one may name a currency that is no currency ("12,50 RUX").
        raise file_refused(_("The statement has no currency column: choose its currency and upload it again."), errors)
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
