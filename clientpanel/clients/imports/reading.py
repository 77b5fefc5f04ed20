"""Reading a CSV file of clients: UTF-8 with or without a BOM, comma or semicolon, quoted fields
(RFC 4180, as Python's csv reads them). A file is read as a stream, never held whole in memory.
What makes the whole file unreadable (binary content, another encoding, no header, no rows) is a
ValidationFailed on the field "file" with a message for a person; a bad row is the importer's
business (a rejected row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from clientpanel.core.errors import ValidationFailed

SNIFF_BYTES = 64 * 1024
# A cell may be long (notes); longer than this is not a client's field but a broken file.
FIELD_LIMIT = 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
# The mapping step asks for one choice per column in one form (Django takes at most
# DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000 fields a request) and shows each header: a file of clients
# has a few dozen columns (WHMCS's export about forty), so more than this is a broken file.
MAX_COLUMNS = 200
HEADER_LIMIT = 200


def file_refused(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def _not_utf8(raw: IO[bytes]) -> ValidationFailed:
    """The refusal of a file that is not UTF-8, naming its first line that is not and the byte. The
    text is decoded in chunks, so where decoding failed says little; the lines are read again (a
    line break is never inside a UTF-8 character), numbered as a text editor numbers them."""
    raw.seek(0)
    for line, data in enumerate(raw, start=1):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            return file_refused(_("The file is not UTF-8 text (the byte 0x%(byte)02X near line %(line)d is not "
                                  "UTF-8; Latin-1 or Windows-1250?): save it as \"CSV UTF-8\" and upload it again.")
                                % {"line": line, "byte": data[error.start]})
    return file_refused(_("The file is not UTF-8 text (Latin-1 or Windows-1250?): save it as \"CSV UTF-8\" and "
                          "upload it again."))


@dataclass(frozen=True)
class FileShape:
    delimiter: str
    headers: list[str]
    row_count: int


def _text(raw: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def _delimiter(first_line: str) -> str:
    """Comma or semicolon: whichever splits the header line into more fields (quotes respected)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in (",", ";")}
    return ";" if counts[";"] > counts[","] else ","


class UnclosedQuote(list):
    """The cells of a record whose quote is never closed. The csv module (not strict: spreadsheets
    leave a quote inside an unquoted cell as it is) reads the rest of the file into its last cell;
    `last_line` is the file's last line, where it stopped."""

    last_line: int = 0

    def problem(self, line: int) -> str:
        """Why the record starting on `line` is refused, for a person."""
        if self.last_line > line:
            return _("A quote opened on this line is never closed: lines %(first)d to %(last)d were read as one "
                     "field. Close the quote (a quote inside a cell is written twice: \"\").") % {
                "first": line, "last": self.last_line}
        return _("A quote opened on this line is never closed. Close it (a quote inside a cell is written twice: "
                 "\"\").")


def records(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record after the header, blank lines skipped; the line is where the
    record starts in the file (the header is line 1), as a text editor or spreadsheet numbers it.
    A record whose quote is never closed comes as UnclosedQuote cells."""
    past_end: list[bool] = []

    def lines() -> Iterator[str]:
        yield from text
        # The reader asks for a line past the end only inside a quoted field (a record ends with its
        # line otherwise): the record it then answers opened a quote and never closed it.
        past_end.append(True)

    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    line = 1
    try:
        next(reader, None)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if past_end:
                cells = UnclosedQuote(cells)
                cells.last_line = reader.line_num
                yield line, cells
            elif cells and any(cell.strip() for cell in cells):
                yield line, cells
    except UnicodeDecodeError:
        raise _not_utf8(text.buffer) from None
    except csv.Error as error:
        raise file_refused(_("Line %(line)d cannot be read as CSV (%(reason)s).") % {"line": line, "reason": error}
                           ) from None


def _refuse_repeated_header(headers: list[str]) -> None:
    """Two columns of one name (case aside): a mapping names a column by its header, so the second
    could be neither chosen nor told apart, and its cells were dropped without a word."""
    first: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        key = header.casefold()
        if key in first:
            raise file_refused(_("The column %(header)s appears twice in the first line (columns %(first)d and "
                                 "%(second)d); rename or remove one of them and upload the file again.")
                               % {"header": repr(header), "first": first[key], "second": number})
        first[key] = number


def _refuse_oversized_header(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise file_refused(_("The first line has %(count)d columns; a file of clients may have at most %(limit)d. "
                             "Remove the columns you do not import and upload it again.")
                           % {"count": len(headers), "limit": MAX_COLUMNS})
    for number, header in enumerate(headers, start=1):
        if len(header) > HEADER_LIMIT:
            raise file_refused(_("The name of column %(number)d has %(length)d characters; a column's name may have "
                                 "at most %(limit)d. Is the first line the header?")
                               % {"number": number, "length": len(header), "limit": HEADER_LIMIT})


def inspect(raw: IO[bytes]) -> FileShape:
    """Read the whole file once: refuse what is not a CSV file of clients, else answer its
    delimiter, headers and number of rows. The stream is left open, at an unspecified position."""
    raw.seek(0)
    head = raw.read(SNIFF_BYTES)
    if not head:
        raise file_refused(_("The file is empty."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_refused(_("The file is UTF-16 text (Excel's \"Unicode Text\"): save the sheet as \"CSV UTF-8\" "
                             "and upload that."))
    if b"\x00" in head:
        raise file_refused(_("This is not a CSV file: it holds binary data (an image, a spreadsheet or an "
                             "archive?). Save the sheet as \"CSV UTF-8\" and upload that."))
    raw.seek(0)
    text = _text(raw)
    try:
        try:
            first_line = text.readline()
        except UnicodeDecodeError:
            raise _not_utf8(raw) from None
        delimiter = _delimiter(first_line)
        text.seek(0)
        try:
            headers = [cell.strip() for cell in next(csv.reader(text, delimiter=delimiter), [])]
        except csv.Error as error:
            raise file_refused(_("Line %(line)d cannot be read as CSV (%(reason)s).") % {"line": 1, "reason": error}
                               ) from None
        if not any(headers):
            raise file_refused(_("The first line must name the columns (email, firstname, lastname, country…)."))
        if len(headers) == 1 and "\t" in headers[0]:
            raise file_refused(_("The columns are separated by tabs: save the sheet as \"CSV UTF-8\" (commas) or use "
                                 "semicolons, and upload that."))
        _refuse_oversized_header(headers)
        headers = [h or _("Column %(number)d") % {"number": i + 1} for i, h in enumerate(headers)]
        _refuse_repeated_header(headers)
        text.seek(0)
        row_count = sum(1 for _record in records(text, delimiter))
    finally:
        text.detach()
    if not row_count:
        raise file_refused(_("The file has a header line but no clients below it."))
    return FileShape(delimiter=delimiter, headers=headers, row_count=row_count)


def open_records(raw: IO[bytes], delimiter: str) -> tuple[io.TextIOWrapper, Iterator[tuple[int, list[str]]]]:
    """The text stream over raw (close it when done) and its records after the header."""
    raw.seek(0)
    text = _text(raw)
    return text, records(text, delimiter)
