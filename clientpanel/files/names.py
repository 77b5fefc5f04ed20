"""File names from outside, made harmless: the name an upload arrives with (a default for the shown
name) and the name a download is offered under. Neither ever reaches the disk (storage.py names the
stored file); both only have to be safe to show and to put in a Content-Disposition header."""

from __future__ import annotations

import re
import unicodedata

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .detection import KIND_BY_CONTENT_TYPE

MAX_NAME_LENGTH = 200
MAX_DOWNLOAD_STEM = 120
_UNSAFE_IN_DOWNLOAD = re.compile(r"[^\w\-. ()\[\]+,&@]+", re.UNICODE)


def name_from_upload(raw: str | None) -> str:
    """The shown name a file gets when staff give none: the last part of what the browser sent
    (no directories — "../../etc/passwd" is "passwd"), without control characters, cut to the
    limit keeping its extension."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C").strip().lstrip(".").strip()
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = f"{stem[:MAX_NAME_LENGTH - len(extension) - 1].rstrip()}.{extension}"
        else:
            text = text[:MAX_NAME_LENGTH].rstrip()
    return text


def download_name(name: str, content_type: str) -> str:
    """The name a download is saved under: the shown name with anything but letters, digits and a
    few harmless marks replaced, no leading dots, and an extension of the detected type (so
    "contract.exe" holding a PDF is saved as "contract.exe.pdf")."""
    kind = KIND_BY_CONTENT_TYPE.get(content_type)
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE_IN_DOWNLOAD.sub("_", text).strip(" ._") or "file"
    extensions = kind.extensions if kind else (".bin",)
    stem, dot, extension = text.rpartition(".")
    if dot and f".{extension.lower()}" in extensions:
        text, suffix = stem, f".{extension}"
    else:
        suffix = extensions[0]
    return f"{text[:MAX_DOWNLOAD_STEM].rstrip(' ._') or 'file'}{suffix}"


def size_text(size: int) -> str:
    """A file's size for people, in the active language: "812 bytes", "35.2 KB", "20 MB" (units of
    1024, as browsers and file managers count them)."""
    if size < 1024:
        return ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
    value = size / 1024
    for unit in (_("KB"), _("MB")):
        if value < 1024:
            return _with_unit(value, unit)
        value /= 1024
    return _with_unit(value, _("GB"))


def _with_unit(value: float, unit: str) -> str:
    whole = value >= 100 or value == int(value)
    return f"{number_format(value, decimal_pos=0 if whole else 1)} {unit}"
