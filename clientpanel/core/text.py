"""The one rule for text from outside (API bodies, query strings, headers, forms), shared by the
API's schemas and the services' text cleaning.

Text may hold any printable character, line breaks and tabs; it may not hold other control
characters (NUL, escape, backspace, DEL, the C1 range) or lone UTF-16 surrogates. PostgreSQL
refuses NUL in text and jsonb, and neither database driver can encode a lone surrogate: such
input must be a field error, never a 500, and a terminal or a log reading stored text must not
meet escape sequences. Carriage returns are allowed in multi-line text because browsers send a
textarea's line breaks as CR LF.

Single-line values (identifiers such as transaction IDs, the Idempotency-Key header, numbering
patterns) refuse every control character, line breaks and tabs included.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .errors import FieldErrors

# C0 controls but tab (\x09), line feed (\x0a) and carriage return (\x0d); DEL and C1; surrogates.
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A single-line value (a name, an identifier) refuses the bidirectional embedding, override and
# isolate controls too: "invoice\u202efdp.exe" shows as "invoiceexe.pdf" in every list.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What a decoder leaves where bytes were not UTF-8 (Django reads a multipart form's fields so): text
# holding it was damaged on the way, and stored it would stay damaged for good.
_REPLACEMENT = "\ufffd"

MAX_JSON_DEPTH = 8


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """Why the text is refused, or None when it is acceptable."""
    if _REPLACEMENT in value:
        return _("Contains the replacement character U+FFFD, which stands where bytes could not be read as "
                 "text; send the text in UTF-8.")
    match = (_FORBIDDEN_IN_LINE if single_line else _FORBIDDEN_IN_TEXT).search(value)
    if match is None:
        return None
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return _("Contains an invalid character (a lone UTF-16 surrogate); send valid Unicode text.")
    if single_line and char in "\n\r\t":
        return _("Must be one line: line breaks and tabs are not allowed.")
    if _DIRECTION_CONTROLS.match(char):
        return _("Contains the text direction control U+%(code)04X, which makes text read otherwise than it is "
                 "stored; remove it.") % {"code": ord(char)}
    # Whole sentences per case, so each language words them in its own order.
    if char == "\x00":
        if single_line:
            return _("Contains a NUL byte; control characters are not allowed.")
        return _("Contains a NUL byte; control characters are not allowed (line breaks and tabs are fine).")
    code = f"U+{ord(char):04X}"
    if single_line:
        return _("Contains the control character %(code)s; control characters are not allowed.") % {"code": code}
    return _("Contains the control character %(code)s; control characters are not allowed (line breaks and tabs "
             "are fine).") % {"code": code}


def has_visible_text(value: str) -> bool:
    """Whether the text shows anything: not only spaces and invisible format characters (a
    zero-width space alone is no name)."""
    if value[:1].isalnum():  # a letter or digit first (nearly every name): visible, nothing to walk
        return True
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn")
               for ch in value)


def visible_problem(value: str, *, label: str | Promise | None = None, required: bool = False) -> str | None:
    """Why text that was given shows nothing, or None: spaces and invisible format characters alone
    (a zero-width space, a word joiner, a BOM) read as a blank in every list, PDF and e-mail. Empty
    text (or spaces alone) is not judged here: an optional field may be left empty, and a required
    one says its own "enter …" for it. label (translated or lazy) names the field, for messages read
    away from it (an import's row); required: the field cannot be left empty, so the message does
    not offer that. The one wording of this refusal everywhere."""
    if not value.strip() or has_visible_text(value):
        return None
    if label is None:
        if required:
            return _("Shows no visible character; type it.")
        return _("Shows no visible character; type it, or leave it empty.")
    if required:
        return _("%(label)s shows no visible character; type it.") % {"label": label}
    return _("%(label)s shows no visible character; type it, or leave it empty.") % {"label": label}


def name_key(value: str) -> str:
    """What two names are compared by where a name must be unique (a group, a role): read alike,
    they are one name. Full-width letters fold to plain ones (NFKC: "ＶＩＰ" is "VIP"), case is
    folded, invisible format characters (a zero-width space) are dropped and runs of spaces are one.
    The name itself is stored as typed."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join("".join(ch for ch in folded if unicodedata.category(ch) != "Cf").split())


# Letters NFKD does not take apart into a base letter and a mark (they are letters of their own).
_OWN_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ı": "i", "ŧ": "t", "ß": "ss", "æ": "ae",
                              "œ": "oe", "þ": "th"})


def search_folded(value: str) -> str:
    """Text as searches compare it: lower case without accents ("Wójcik", "WOJCIK" and "wojcik" are
    one word; "Łódź" is "lodz"), so a Polish name is found however it was typed. Stored that way in
    the directory's search column, and every search word is folded alike."""
    lowered = unicodedata.normalize("NFKD", value.lower().translate(_OWN_LETTERS))
    return "".join(ch for ch in lowered if not unicodedata.combining(ch))


def is_new_name(name: str, before: str | None) -> bool:
    """Whether `name` is another name than `before` (None: nothing is named yet) as name_key reads
    them. Only a new name is compared with the others, so two look-alikes made before the rule
    still take their other changes (and a change of case alone)."""
    return before is None or name_key(name) != name_key(before)


def name_among(name: str, names: Iterable[str]) -> bool:
    """Whether `name` reads as one of `names` (name_key). For the few names of groups and roles,
    read whole: their keys are not stored, so the database cannot compare them."""
    key = name_key(name)
    return any(name_key(other) == key for other in names)


def at_most_characters(limit: int) -> str:
    """The field error of a text longer than `limit` characters, in the active language."""
    return ngettext("At most %(limit)d character.", "At most %(limit)d characters.", limit) % {"limit": limit}


def clean_text(value: object, field: str, errors: FieldErrors, *, limit: int, single_line: bool = False) -> str:
    """The text stripped, with what is wrong with it added to errors under field: not text at all
    (then ""), longer than limit, or holding a character text_problem refuses."""
    if not isinstance(value, str):
        errors.add(field, _("Must be text."))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.add(field, at_most_characters(limit))
    problem = text_problem(value, single_line=single_line)
    if problem:
        errors.add(field, problem)
    return value


def json_problem(value: Any, *, depth: int = 0) -> str | None:
    """Why a JSON value (object keys, string values and numbers at any depth) is refused, or None."""
    if depth > MAX_JSON_DEPTH:
        return _("Nested deeper than %(levels)d levels.") % {"levels": MAX_JSON_DEPTH}
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):  # NaN, Infinity, 1e999: not JSON, refused by jsonb
        return _("Contains a number JSON does not have (NaN, Infinity or beyond 1e308); send a finite number.")
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(str(key), single_line=True) or json_problem(item, depth=depth + 1)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for item in value:
            problem = json_problem(item, depth=depth + 1)
            if problem:
                return problem
    return None


# A whole number as people type one in the panel or send one to the API: a sign and the digits 0–9.
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)


def whole_number(value: object) -> int:
    """The value as an int when it is one, or text of a sign and ASCII digits (spaces around it
    allowed); ValueError otherwise. int() alone takes other scripts' digits ("١٠" is 10), "1_0" and
    True, which every other reader of that number (the API, the staff forms) refuses."""
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValueError("not a whole number")
    return int(text)
