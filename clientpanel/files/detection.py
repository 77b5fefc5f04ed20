"""What a client file is, told by its content — never by its name or the type the browser claims.

An allow-list: PDF, PNG, JPEG, GIF, WebP, the ZIP-based office formats (Office Open XML and
OpenDocument) and plain UTF-8 text (CSV included). Everything else is refused, and markup in
particular: an HTML page, an SVG image or any XML can carry script, and a browser that opened one
from our origin would run it with the viewer's session. Files are served as attachments with
`nosniff` as well; refusing markup at the door keeps it out of the store altogether.

Pure Python, no ORM: reads a seekable binary file and leaves it at its start.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 64


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: object  # a lazy translation: str() it in the reader's language
    extensions: tuple[str, ...]  # the first is added to a download name that has none of them


PDF = FileKind("application/pdf", gettext_lazy("PDF document"), (".pdf",))
PNG = FileKind("image/png", gettext_lazy("PNG image"), (".png",))
JPEG = FileKind("image/jpeg", gettext_lazy("JPEG image"), (".jpg", ".jpeg"))
GIF = FileKind("image/gif", gettext_lazy("GIF image"), (".gif",))
WEBP = FileKind("image/webp", gettext_lazy("WebP image"), (".webp",))
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                gettext_lazy("Word document"), (".docx",))
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                gettext_lazy("Excel spreadsheet"), (".xlsx",))
PPTX = FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                gettext_lazy("PowerPoint presentation"), (".pptx",))
ODT = FileKind("application/vnd.oasis.opendocument.text", gettext_lazy("OpenDocument text"), (".odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", gettext_lazy("OpenDocument spreadsheet"),
               (".ods",))
ODP = FileKind("application/vnd.oasis.opendocument.presentation", gettext_lazy("OpenDocument presentation"),
               (".odp",))
TEXT = FileKind("text/plain; charset=utf-8", gettext_lazy("Plain text"), (".txt", ".csv", ".tsv", ".log", ".md"))

ALLOWED_KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT)
KIND_BY_CONTENT_TYPE = {kind.content_type: kind for kind in ALLOWED_KINDS}

# Office Open XML: the main part that names the application (its [Content_Types].xml says the same).
OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
# OpenDocument: the first entry is an uncompressed "mimetype" holding the type.
ODF_TYPES = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}
MAX_ZIP_ENTRIES = 10_000

# Markup a browser would render, or script it would run, anywhere in a text file. A text file
# whose first non-blank character opens a tag is refused as markup whatever follows.
MARKUP = re.compile(
    rb"<\s*(?:!doctype|\?xml|html|head|body|script|svg|iframe|frame|frameset|object|embed|applet|meta|link|style"
    rb"|img|math|xml|a|form|base|template)\b|<!--|<!\[CDATA\[",
    re.IGNORECASE,
)
# C0 controls other than tab, line feed, form feed and carriage return, and DEL: binary, not text.
BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Refused(Exception):
    """The content is not one of the allowed kinds; str() is the reason, for the user."""


def allowed_kinds_text() -> str:
    return _("PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument, plain text and CSV")


def detect(file: BinaryIO) -> FileKind:
    """The kind of the file's content, or Refused saying why not. The file must be seekable."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        if not head:
            raise Refused(_("The file is empty."))
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith((b"GIF87a", b"GIF89a")):
            return GIF
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return WEBP
        if head.startswith(b"PK\x03\x04"):
            return _office_kind(file)
        return _text_kind(file)
    finally:
        file.seek(0)


def _office_kind(file: BinaryIO) -> FileKind:
    """A ZIP is accepted only as an office document: its directory names the application. Only
    the directory and the tiny "mimetype" entry are read, so a ZIP bomb costs nothing."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise Refused(_("This archive holds too many entries to be an office document."))
            names = {entry.filename for entry in entries}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Refused(_("Office documents with macros are not accepted."))
            first = entries[0] if entries else None
            if first is not None and first.filename == "mimetype" and first.file_size <= 100:
                declared = archive.read(first).decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    return ODF_TYPES[declared]
            if "[Content_Types].xml" in names:
                for part, kind in OOXML_PARTS:
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        raise Refused(_("The file looks like a ZIP archive but cannot be read.")) from None
    raise Refused(_("ZIP archives are accepted only as office documents (Word, Excel, PowerPoint, "
                    "OpenDocument)."))


def _text_kind(file: BinaryIO) -> FileKind:
    """UTF-8 text without NUL or other binary control bytes, and without markup."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank_so_far, tail = True, b""
    while chunk := file.read(64 * 1024):
        if blank_so_far:
            start = (chunk.removeprefix(codecs.BOM_UTF8) if not tail else chunk).lstrip()
            if start.startswith(b"<"):
                raise Refused(_markup_refusal())
            blank_so_far = not start
        if BINARY_CONTROLS.search(chunk):
            raise Refused(_("This type of file is not accepted. Accepted: %(kinds)s.") % {
                "kinds": allowed_kinds_text()})
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            raise Refused(_("This type of file is not accepted (text must be UTF-8). Accepted: %(kinds)s.") % {
                "kinds": allowed_kinds_text()}) from None
        # The tail of the previous chunk: markup split across two chunks is found too.
        if MARKUP.search(tail + chunk):
            raise Refused(_markup_refusal())
        tail = chunk[-32:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Refused(_("This type of file is not accepted (text must be UTF-8). Accepted: %(kinds)s.") % {
            "kinds": allowed_kinds_text()}) from None
    return TEXT


def _markup_refusal() -> str:
    return _("Web pages, SVG images, XML and other markup or script files are not accepted, whatever the "
             "file is called.")
