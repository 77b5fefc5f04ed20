"""CSV for spreadsheets, safe to open (issue 13): cells as text, lines as UTF-8 bytes.

Pure: no ORM, no HTTP. A text cell that a spreadsheet would read as a formula — one starting with
`=`, `+`, `-`, `@`, a tab or a carriage return — is written with a single quote in front, so it
stays text (OWASP's "CSV injection" advice). Numbers are not text: a Decimal is written exactly,
never through float, with a plain `.` and no thousands separators, and a negative amount stays
`-10.00` so the spreadsheet still adds it up. Dates and times are ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

BOM = "\ufeff".encode()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Lines are handed out in chunks of about this many bytes (whole lines only): a response of a
# million rows is a few thousand writes, not a million.
CHUNK_BYTES = 64 * 1024


class Amount:
    """A Decimal to be written with at least `places` decimals (the currency's), more only when
    they are significant: Amount(Decimal("12.3000"), 2) is 12.30, Amount(Decimal("0.1234"), 2)
    is 0.1234, Amount(Decimal("100.0000"), 0) is 100."""

    __slots__ = ("places", "value")

    def __init__(self, value: Decimal, places: int = 2):
        self.value = value
        self.places = places

    def __str__(self) -> str:
        return decimal_text(self.value, self.places)


def decimal_text(value: Decimal, places: int = 2) -> str:
    """The Decimal as plain digits ("-1234.50"): never an exponent, never rounded, trailing zeros
    dropped down to `places` decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"Expected a finite Decimal, got {value!r}.")
    text = format(value, "f")
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    decimals = decimals + "0" * max(0, places - len(decimals))
    text = f"{whole}.{decimals}" if decimals else whole
    return "0" + text[2:] if text.startswith("-0") and value == 0 else text


def safe_cell(value: object) -> str:
    """One cell as text. None is empty; a Decimal (or an Amount) is a number, written exactly;
    an aware datetime is read in the current time zone ("2025-01-31 13:05:00"); a date is
    "2025-01-31"; any other value is text and is quoted with `'` when it would start a formula
    (or would look quoted: is_guarded)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Amount):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_text(value, 0)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise TypeError("Floats are not written to a CSV export; use Decimal.")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_guarded(text) or text.startswith(FORMULA_STARTS) else text


def is_guarded(cell: str) -> bool:
    """Whether a cell starts with the `'` this module puts before a formula (or before a text that
    itself starts with a `'`): a re-import (clients/imports) takes exactly one such `'` away. So a
    text that starts with `'=` or `''` is written with one more `'`, and comes back as it was."""
    return len(cell) > 1 and cell[0] == "'" and (cell[1] == "'" or cell[1:].startswith(FORMULA_STARTS))


def csv_rows(header: Iterable[object], rows: Iterable[Iterable[object]], *,
             chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes: the BOM (so spreadsheets read it as UTF-8) and the header line
    first, then the rows, every cell through safe_cell, lines ended by CRLF (RFC 4180). Yields
    whole lines, gathered into chunks of about chunk_bytes; reads `rows` one at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
