"""Human numbers (client numbers now; document numbers later) from patterns and locked counters.

A pattern may hold {YEAR}, {MONTH}, {DAY} (two digits) and {NUMBER} or {NUMBER:n} (zero-padded to
n digits; a document's pattern holds it once, n from 1 to 12: validate_number_shape). Counters live
in NumberSequence rows: one per key and period, incremented under a row lock inside the caller's
transaction, so numbers are unique, gap-free and ordered under any concurrency —
a rolled-back transaction gives its number back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import NumberSequence

_TOKEN = re.compile(r"\{(YEAR|MONTH|DAY|NUMBER(?::(\d{1,2}))?)\}")
# A number is printed on documents, in file names and in Content-Disposition headers: quotes,
# backslashes and angle brackets could break out of them, control characters (line breaks)
# forge headers. Letters, digits, spaces and the usual separators (/ - _ . # and so on) remain.
_FORBIDDEN_IN_PATTERN = re.compile(r"[\"'`\\<>\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def document_series_key(company_id, doc_type: str) -> str:
    """The counter key of a home company's series of one document type (invoicing numbers with it;
    tax reads it to know whether a series has numbered anything)."""
    return f"document:{company_id}:{doc_type}"


def validate_pattern(pattern: str) -> None:
    """Refuse a pattern a number could not be made from, with a ValueError whose message is for
    the person who typed it (in the active language)."""
    forbidden = _FORBIDDEN_IN_PATTERN.search(pattern)
    if forbidden:
        char = forbidden.group()
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
        raise ValueError(_("A numbering pattern cannot contain %(character)s: no quotes, backslashes, angle "
                           "brackets, line breaks or other control characters.") % {"character": shown})
    if "{NUMBER" not in pattern or not _TOKEN.search(pattern):
        raise ValueError(_("A numbering pattern needs a {NUMBER} or {NUMBER:n} placeholder."))
    leftover = _TOKEN.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise ValueError(_("Unknown placeholder; use {YEAR}, {MONTH}, {DAY}, {NUMBER} or {NUMBER:n}."))


# {NUMBER:n} pads to n digits: 1 to 12 (a trillion documents); {NUMBER:0} pads nothing, wider is no number.
NUMBER_WIDTHS = range(1, 13)
_NUMBER_TOKEN = re.compile(r"\{NUMBER(?::(\d*))?\}")
# What a pattern's output is told apart by: its text outside the runs of digits (the placeholders
# print digits only, at least one each). NUL never stands in a pattern (validate_pattern).
_DIGITS = "\x00"
_DIGIT_RUN = re.compile(r"[0-9\x00]+")


def validate_number_shape(pattern: str, *, max_length: int) -> None:
    """Refuse a pattern (one validate_pattern accepts) that cannot make sensible numbers: {NUMBER}
    not exactly once, a padding outside NUMBER_WIDTHS, or a longest number over max_length
    characters (the column the numbers are stored in). ValueError, in the active language."""
    tokens = _NUMBER_TOKEN.findall(pattern)
    if len(tokens) != 1:
        raise ValueError(_("A numbering pattern holds {NUMBER} (or {NUMBER:n}) exactly once: one counter "
                           "makes one number."))
    if tokens[0] and int(tokens[0]) not in NUMBER_WIDTHS:
        raise ValueError(_("{NUMBER:n} pads the number to n digits: n is %(low)d to %(high)d ({NUMBER} for no "
                           "padding).") % {"low": NUMBER_WIDTHS[0], "high": NUMBER_WIDTHS[-1]})
    longest = longest_number(pattern)
    if longest > max_length:
        raise ValueError(_("Numbers made from this pattern can be %(length)d characters long; at most "
                           "%(limit)d fit. Shorten its text.") % {"length": longest, "limit": max_length})


def counter_digits() -> int:
    """How many digits the largest counter value has (NumberSequence.last_value's range)."""
    field = NumberSequence._meta.get_field("last_value")
    return len(str(connection.ops.integer_field_range(field.get_internal_type())[1]))


def longest_number(pattern: str) -> int:
    """The length of the longest number the pattern makes: its text, 4 for {YEAR}, 2 for {MONTH}
    and {DAY}, and for {NUMBER:n} n or the largest counter's digits, whichever is more."""
    def width(match: re.Match[str]) -> int:
        token = match.group(1)
        if token == "YEAR":
            return 4
        if token in ("MONTH", "DAY"):
            return 2
        return max(int(match.group(2) or 0), counter_digits())

    return len(_TOKEN.sub("", pattern)) + sum(width(match) for match in _TOKEN.finditer(pattern))


def pattern_shape(pattern: str) -> str:
    """What numbers of the pattern read as apart from their digits: the placeholders and any digits
    in its text become one mark per run, letters are compared regardless of case. A number's own
    runs of digits stand exactly where the pattern's do, so two patterns of different shapes never
    make the same number; two of one shape may (INV{YEAR}{NUMBER} and INV{NUMBER}: INV20261)."""
    return _DIGIT_RUN.sub(_DIGITS, _TOKEN.sub(_DIGITS, pattern).casefold())


def format_number(pattern: str, number: int, on: dt.date) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "YEAR":
            return f"{on.year:04d}"
        if token == "MONTH":
            return f"{on.month:02d}"
        if token == "DAY":
            return f"{on.day:02d}"
        width = int(match.group(2) or 0)
        return str(number).zfill(width)

    return _TOKEN.sub(replace, pattern)


def sequence_next(*, key: str, period: str = "") -> int:
    """Return the next number of the counter (key, period), starting at 1.

    Must run inside the caller's transaction: the row stays locked until it commits, which is what
    makes numbering gap-free (a rollback releases the number with the lock).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside transaction.atomic()")
    sequence = _locked_counter(key, period)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def _locked_counter(key: str, period: str) -> NumberSequence:
    _counter_create(key, period)
    return NumberSequence.objects.select_for_update().get(key=key, period=period)


def _counter_create(key: str, period: str) -> None:
    """Create the counter row if it is missing, without racing another creator."""
    NumberSequence.objects.bulk_create([NumberSequence(key=key, period=period, last_value=0)], ignore_conflicts=True)


def sequence_next_dated(*, key: str, period_of: Callable[[dt.datetime], str]) -> tuple[int, dt.datetime]:
    """The next number of the counter for the period the present moment falls in, and that moment.

    The moment is read after the counter row is locked, so within a period the numbers rise with
    the moments: whoever holds the lock reads a later clock than everyone who held it before. When
    the clock crosses into the next period between choosing the counter and locking it, the number
    is given back (the lock is still held, so nobody took another) and the next period's counter is
    taken instead. Must run inside the caller's transaction, like sequence_next; the row stays
    locked until that transaction ends, so callers take the number as late as they can.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next_dated must run inside transaction.atomic()")
    period = period_of(timezone.now())
    while True:
        number = _counter_advance(key, period, 1)
        moment = timezone.now()
        if period_of(moment) == period:
            return number, moment
        _counter_advance(key, period, -1)
        period = period_of(moment)


def _counter_advance(key: str, period: str, by: int) -> int:
    """Move the counter by `by` and answer its new value: one UPDATE, which takes the row lock
    (the row is created first when missing, without racing another creator)."""
    table = NumberSequence._meta.db_table
    sql = (f"UPDATE {table} SET last_value = last_value + %s WHERE key = %s AND period = %s "  # noqa: S608
           "RETURNING last_value")
    with connection.cursor() as cursor:
        cursor.execute(sql, [by, key, period])
        row = cursor.fetchone()
        if row is None:
            _counter_create(key, period)
            cursor.execute(sql, [by, key, period])
            row = cursor.fetchone()
    return row[0]


def sequence_take(*, key: str, count: int, after: int = 0, period: str = "") -> int:
    """Take `count` consecutive numbers of the counter at once (a batch: an import) and answer the
    first. `after` raises the counter to at least that value first, so the numbers come after
    those a batch brought in itself (a file's own client numbers). Runs inside the caller's
    transaction, like sequence_next; count 0 takes nothing (and still raises the counter)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_take must run inside transaction.atomic()")
    sequence = _locked_counter(key, period)
    first = max(sequence.last_value, after) + 1
    if count or first - 1 != sequence.last_value:
        sequence.last_value = first - 1 + count
        sequence.save(update_fields=["last_value"])
    return first


def pattern_number(pattern: str, text: str) -> int | None:
    """The counter value a number made from the pattern holds ("0042" → 42 for {NUMBER:4},
    "C-2025-7" → 7 for C-{YEAR}-{NUMBER}), or None when the text was not made from it."""
    parts, end = [], 0
    for match in _TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[end:match.start()]))
        token = match.group(1)
        parts.append(r"\d{4}" if token == "YEAR" else r"\d{2}" if token in ("MONTH", "DAY") else r"(\d{1,18})")
        end = match.end()
    parts.append(re.escape(pattern[end:]))
    found = re.fullmatch("".join(parts), text)
    if not found or found.lastindex is None:
        return None
    return int(found.group(found.lastindex))
