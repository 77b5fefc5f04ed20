"""Text the system writes into a row (a ledger entry's description, a failed provisioning step)
kept as a code and its parameters beside the English the API returns, so that each reader sees it
in their language: each domain keeps its codes and wordings (ledger.descriptions,
client_services.provision_errors), this the mechanism they share. Rows from before the codes are
recognised by their exact English; whatever does not fit shows as stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import InvalidOperation
from typing import Any

from django.utils.translation import gettext

NO_FORMATS: Mapping[str, Callable[[str], str]] = {}


class CodedText(str):
    """Text the system wrote, as the plain str its callers store, log and compare, carrying the code
    and parameters it was written from. Each domain names the code of words from outside (a
    module's, KSeF's) as `outside`: text made without a code is that."""

    outside = ""
    code: str
    params: dict | None

    def __new__(cls, text: str, code: str | None = None, params: dict | None = None) -> CodedText:
        made = super().__new__(cls, text)
        made.code, made.params = cls.outside if code is None else code, params
        return made


def kept_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The parameters as a row keeps them: text (numbers as str(Decimal), which the English shows)."""
    return {key: str(value) for key, value in params.items()}


def in_reader_language(wording: str, params: object, stored: str,
                       formats: Mapping[str, Callable[[str], str]] = NO_FORMATS) -> str:
    """`wording` (a message id) translated and filled with the row's parameters, each through its
    format where it has one (an amount, a period's length); the stored text when the parameters do
    not fit the wording."""
    if not isinstance(params, dict):
        return stored
    try:
        shown = {key: formats[key](value) if key in formats else value for key, value in params.items()}
        # A variable, not a literal, inside gettext(): the extractor would take a literal for a message.
        return gettext(wording) % shown
    except (KeyError, InvalidOperation, TypeError, ValueError):
        return stored


def recognised(text: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> tuple[str, dict | None]:
    """The code and parameters of a row from before the codes, read back from its exact English
    (the first pattern it matches whole); ("", None) for anything else."""
    for code, pattern in patterns:
        match = pattern.fullmatch(text)
        if match:
            return code, match.groupdict()
    return "", None


# Searching rows by the words their readers see: a word may lie in a wording's fixed text (then
# every row of that code shows it), inside a parameter, or across both ("D4E0GV," ends a name and
# starts ", 1 month"); each way is the parameters' pieces it needs, which the domain turns into
# conditions on its columns — one query, whatever the wording's language.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def parts(wording: str, **filled: str) -> tuple[tuple[str | None, str], ...]:
    """The wording cut into its fixed text and its parameters — ("Payment for ", None) reads
    ((None, "Payment for "), ("number", "")) — with the parameters in `filled` written in as
    fixed text (a period's length, which has a few known wordings)."""
    cut: list[tuple[str | None, str]] = []
    at = 0

    def fixed(text: str) -> None:
        if cut and cut[-1][0] is None:
            cut[-1] = (None, cut[-1][1] + text)
        elif text:
            cut.append((None, text))

    for match in _PLACEHOLDER.finditer(wording):
        fixed(wording[at:match.start()])
        name = match.group(1)
        if name is None:
            fixed("%")
        elif name in filled:
            fixed(filled[name])
        else:
            cut.append((name, ""))
        at = match.end()
    fixed(wording[at:])
    return tuple(cut)


def placements(cut: tuple[tuple[str | None, str], ...], word: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Every way `word` (case aside) lies in a text of this shape, as the pieces of parameters
    it needs: ((),) when the fixed text alone holds it; (("number", "2026/7"),) when it lies in
    a parameter; () when no text of this shape can hold it. A parameter's piece is what the
    parameter must contain (where the word runs on past it, it must also end or start there;
    containing is the looser, simpler test)."""
    low = word.lower()
    text = word if len(low) == len(word) else low  # pieces keep the word's own letters
    found: set[tuple[tuple[str, str], ...]] = set()

    def rest(index: int, at: int, pieces: tuple) -> None:  # text[at:] starts where part `index` does
        if at == len(text):
            found.add(pieces)
            return
        if index == len(cut):
            return
        name, fixed = cut[index]
        if name is None:
            fixed, tail = fixed.lower(), low[at:]
            if len(tail) <= len(fixed):
                if fixed.startswith(tail):
                    found.add(pieces)
            elif tail.startswith(fixed):
                rest(index + 1, at + len(fixed), pieces)
            return
        for end in range(at + 1, len(text) + 1):
            rest(index + 1, end, (*pieces, (name, text[at:end])))

    for index, (name, fixed) in enumerate(cut):
        if name is not None:  # the word starts inside this parameter
            for end in range(1, len(text) + 1):
                rest(index + 1, end, ((name, text[:end]),))
            continue
        fixed = fixed.lower()  # the word starts inside this fixed text
        for start in range(len(fixed)):
            tail = fixed[start:]
            if len(low) <= len(tail):
                if tail.startswith(low):
                    found.add(())
            elif low.startswith(tail):
                rest(index + 1, len(tail), ())
    return ((),) if () in found else tuple(sorted(found))
