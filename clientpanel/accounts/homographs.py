"""Domain labels that mix scripts: `exаmple` with a Cyrillic "а" looks like `example` and is another
domain, the classic homograph spoof. An e-mail address's domain must be "highly restrictive" in the
sense of Unicode TS #39 §5.2, the level browsers show in Unicode (anything else they show as punycode):
each label in one script, or Latin with the scripts Japanese, Chinese or Korean write together. Digits,
hyphens and combining marks (scripts Common and Inherited) go with any script.

Python's unicodedata has no Script property; unicodedataplus (a superset of it) gives Script and
Script_Extensions (docs/decisions.md)."""

from __future__ import annotations

import unicodedataplus
from django.utils.translation import pgettext_lazy

# Common and Inherited: characters used with every script.
_ANY = frozenset({"Zyyy", "Zinh"})
# TS #39 §5.1's augmented script sets: Han with kana is Japanese (Jpan), with Bopomofo Chinese
# (Hanb), with Hangul Korean (Kore); so 例え (Han + Hiragana) resolves to Japanese, one script.
_AUGMENTED = {
    "Hani": {"Hanb", "Jpan", "Kore"}, "Hira": {"Jpan"}, "Kana": {"Jpan"}, "Hang": {"Kore"}, "Bopo": {"Hanb"},
}
_WRITTEN_WITH_LATIN = frozenset({"Jpan", "Hanb", "Kore"})

# The scripts a refusal names, in the reader's language; any other by its Unicode name.
SCRIPT_NAMES = {
    "Latin": pgettext_lazy("script", "Latin"),
    "Cyrillic": pgettext_lazy("script", "Cyrillic"),
    "Greek": pgettext_lazy("script", "Greek"),
    "Armenian": pgettext_lazy("script", "Armenian"),
    "Georgian": pgettext_lazy("script", "Georgian"),
    "Hebrew": pgettext_lazy("script", "Hebrew"),
    "Arabic": pgettext_lazy("script", "Arabic"),
    "Cherokee": pgettext_lazy("script", "Cherokee"),
    "Han": pgettext_lazy("script", "Han (Chinese characters)"),
    "Hiragana": pgettext_lazy("script", "Hiragana"),
    "Katakana": pgettext_lazy("script", "Katakana"),
    "Hangul": pgettext_lazy("script", "Hangul"),
}


def _scripts(char: str) -> set[str] | None:
    """The char's augmented Script_Extensions; None for Common and Inherited, which fit any script."""
    codes = set(unicodedataplus.script_extensions(char))
    if codes <= _ANY:
        return None
    for code in list(codes):
        codes |= _AUGMENTED.get(code, set())
    return codes


def _resolves(label: str, *, skip_latin: bool = False) -> set[str] | None:
    """The scripts every (non-Common) char of the label is written in — TS #39's resolved script set;
    None when no char narrows it (all scripts). skip_latin leaves Latin chars out, as ICU does."""
    resolved: set[str] | None = None
    for char in label:
        codes = _scripts(char)
        if codes is None or (skip_latin and "Latn" in codes):
            continue
        resolved = codes if resolved is None else resolved & codes
    return resolved


def is_highly_restrictive(label: str) -> bool:
    """True when the label (in Unicode) is in one script, or is Latin with Japanese, Chinese or Korean."""
    resolved = _resolves(label)
    if resolved is None or resolved:
        return True
    rest = _resolves(label, skip_latin=True)
    return rest is None or bool(rest & _WRITTEN_WITH_LATIN)


def script_names(label: str) -> list[str]:
    """The scripts of the label's letters, in the order they first appear, named for the reader."""
    names: list[str] = []
    for char in label:
        if _scripts(char) is None:
            continue
        script = unicodedataplus.script(char)
        name = str(SCRIPT_NAMES.get(script, script.replace("_", " ")))
        if name not in names:
            names.append(name)
    return names


def mixed_script_label(domain: str) -> str | None:
    """The first label of an (ASCII, IDNA-encoded) domain that mixes scripts, in Unicode; None when
    every label is fine. A label that is no valid punycode is left alone: no program shows it as
    letters, so it imitates nothing."""
    for label in domain.split("."):
        if not label.lower().startswith("xn--"):
            continue  # plain ASCII: Latin, digits and hyphens
        try:
            text = label[4:].encode("ascii").decode("punycode")
        except UnicodeError:
            continue
        if not is_highly_restrictive(text):
            return text
    return None
