"""How a search word becomes a condition on the clients' search text.

The trigram index answers `search_text LIKE '%word%'` by intersecting the posting lists of the
word's trigrams; a trigram that most clients hold ("use", "com", "exa" of e-mail addresses) has a
list of nearly every client, and reading it costs far more than it narrows (12 ms of a search for
'user0123456' at a million clients, against 1.7 ms without those lists). So a word with such
trigrams asks the index only for its runs of the others, and the whole word is then checked on the
few rows found, with a comparison the index does not take (strpos). The answer is the same rows.
"""

from __future__ import annotations

import re
import time

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.text import at_most_characters, search_folded

from ..models import Client, SearchTrigram

MAX_SEARCH_LENGTH = 100

# A trigram in at least this share of the clients (per mille) is not worth reading from the index.
DENSE_PER_MILLE = 200
# How long a process keeps what it read of the measured trigrams (they are measured daily).
_REMEMBER_SECONDS = 600
# pg_trgm's word characters: letters and digits; anything else separates its words.
_WORD_CHARACTERS = re.compile(r"[^\W_]+")

_remembered: tuple[float, frozenset[str]] | None = None


def dense_trigrams() -> frozenset[str]:
    """The trigrams that at least DENSE_PER_MILLE of the clients hold, as last measured."""
    global _remembered
    now = time.monotonic()
    if _remembered is None or now - _remembered[0] > _REMEMBER_SECONDS:
        trigrams = SearchTrigram.objects.filter(per_mille__gte=DENSE_PER_MILLE).values_list("trigram", flat=True)
        _remembered = (now, frozenset(trigrams))
    return _remembered[1]


def dense_trigrams_forget() -> None:
    """Read the measured trigrams again at the next search (after a new measurement)."""
    global _remembered
    _remembered = None


def rare_runs(word: str, dense: frozenset[str]) -> list[str] | None:
    """The word's stretches (of three characters or more) in which no trigram is dense, or None
    when no trigram of the word is dense (the whole word is then asked of the index)."""
    runs: list[str] = []
    found_dense = False
    for match in _WORD_CHARACTERS.finditer(word):
        part = match.group()
        start = 0  # where the current stretch of rare trigrams begins
        for index in range(len(part) - 2):
            if part[index:index + 3] in dense:
                found_dense = True
                if index > start:
                    runs.append(part[start:index + 2])
                start = index + 1
        if len(part) - 2 > start:
            runs.append(part[start:])
    return runs if found_dense else None


def asked_whole(word: str) -> bool:
    """Whether the word is asked of the index as `LIKE '%word%'` alone, a condition whose row
    estimate comes from search_text's histogram (a split word adds strpos, which the planner
    guesses at a third of the rows)."""
    return not rare_runs(word, dense_trigrams())


def search_word_condition(word: str) -> Q:
    """Clients whose search text contains the (lower-cased) word."""
    runs = rare_runs(word, dense_trigrams())
    if not runs:  # no dense trigram, or nothing but dense ones: the index reads the whole word
        return Q(search_text__contains=word)
    condition = Q()
    for run in runs:
        condition &= Q(search_text__contains=run)
    return condition & Q(GreaterThan(StrIndex("search_text", Value(word)), 0))


def search_words(search: str) -> list[str]:
    """The words of a directory search (lower-cased and without accents, as the search column is
    stored: core.text.search_folded; at most eight); ValidationFailed on `search`
    for one longer than MAX_SEARCH_LENGTH."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise ValidationFailed(_("The search is too long."),
                               fields={"search": [at_most_characters(MAX_SEARCH_LENGTH)]})
    return [word for word in search_folded(search).split() if word][:8]


def clients_found_by(word: str) -> QuerySet:
    """The ids of the clients the directory's search finds by this word — its search column (name,
    number, owner's e-mail, tax ID, phone), which the trigram index serves — as a subquery for
    `client__in=`, so that another list (services, documents, ledger entries) finds a client as the
    directory does. It has NO scope of its own: it names clients whoever asks. A caller combines it
    with its own rows' visible_to (services_visible_to, documents_visible_to, ...), which decides what
    the actor sees; it is never listed or counted alone."""
    clients = Client.objects.all()
    for part in search_words(word):
        # search_text is lower-cased, so a plain (case-sensitive) LIKE matches and PostgreSQL's
        # trigram index serves it; icontains would emit UPPER(...) LIKE, which that index cannot.
        clients = clients.filter(search_word_condition(part))
    return clients.values("pk")
