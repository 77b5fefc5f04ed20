"""Matching incoming transfers to proformas: the proforma numbers a transfer's title names, read
with the home company's numbering pattern (PF/{YEAR}/{MONTH}/{NUMBER:4} finds "PF/2026/11/0007",
"pf 2026 11 0007" and "PF2026110007"), then the rule:

- exactly one UNPAID proforma named, in the transfer's currency, and the amount is what is still
  due on it → MATCHED (recorded with one click);
- one such proforma but another amount (a partial or an over payment, or two proformas paid at
  once), or several such proformas → AMBIGUOUS (staff choose; the single one is proposed);
- no number, no such proforma, or only ones already paid, cancelled or in another currency →
  UNMATCHED, with the reason in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Q
from django.utils.translation import gettext as _

from clientpanel.core.money import reader_amount, round_to_minor_unit
from clientpanel.core.numbering import format_number
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.tax.models import HomeCompany

from ..models import BankLineStatus

_TOKEN = re.compile(r"\{(YEAR|MONTH|DAY|NUMBER(?::(\d{1,2}))?)\}")
# What people and banks put between the parts of a number: slashes, dashes, dots, spaces…
_SEPARATORS = r"[\s/\\\-_.,:#|]"
_DIGIT_TOKENS = {"YEAR": r"(?P<year>\d{4})", "MONTH": r"(?P<month>\d{2})", "DAY": r"(?P<day>\d{2})"}
_LOOKUP_CHUNK = 500


def _pieces(pattern: str) -> list[tuple[str, str]]:
    """The pattern as ("text", literal) and ("token", name[:width]) pieces."""
    pieces, end = [], 0
    for match in _TOKEN.finditer(pattern):
        if match.start() > end:
            pieces.append(("text", pattern[end:match.start()]))
        pieces.append(("token", match.group(1)))
        end = match.end()
    if end < len(pattern):
        pieces.append(("text", pattern[end:]))
    return pieces


@lru_cache(maxsize=64)
def number_finder(pattern: str) -> re.Pattern[str]:
    """A regular expression finding numbers made from the pattern in free text, whatever the case
    and with separators changed, spaced or left out — except after the counter when a date part
    follows it (PF/{NUMBER}/{YEAR}): there a separator must stay, or "PF7202611" could be read
    several ways. The counter's digits are never cut out of a longer run of digits."""
    pieces = _pieces(pattern)
    parts = []
    for position, (kind, value) in enumerate(pieces):
        if kind == "token":
            if value.startswith("NUMBER"):  # zero padding may be left out: "PF/2026/11/7"
                parts.append(r"(?P<number>\d{1,18})")
            else:
                parts.append(_DIGIT_TOKENS[value])
            continue
        after_counter = (position > 0 and pieces[position - 1][0] == "token"
                         and pieces[position - 1][1].startswith("NUMBER") and position + 1 < len(pieces)
                         and pieces[position + 1][0] == "token" and not re.search(r"[A-Za-z0-9]", value))
        for run in re.findall(r"[A-Za-z0-9]+|[^A-Za-z0-9]+", value):
            if run[0].isalnum():
                parts.append(r"\s*" + re.escape(run) + r"\s*")
            else:
                parts.append(_SEPARATORS + ("+" if after_counter else "*"))
    starts_alnum = pieces and (pieces[0][0] == "token" or pieces[0][1][:1].isalnum())
    ends_token = pieces and pieces[-1][0] == "token"
    regex = ((r"(?<![A-Za-z0-9])" if starts_alnum else "") + "".join(parts)
             + (r"(?!\d)" if ends_token else r"(?![A-Za-z0-9])"))
    return re.compile(regex, re.IGNORECASE)


def numbers_in(text: str, pattern: str) -> set[str]:
    """The numbers made from the pattern that the text names, written as the pattern writes them
    ("pf 2026 11 7" → "PF/2026/11/0007" for PF/{YEAR}/{MONTH}/{NUMBER:4})."""
    found = set()
    finder = number_finder(pattern)
    position = 0
    while True:
        match = finder.search(text, position)
        if match is None:
            return found
        position = match.start() + 1
        parts = match.groupdict()
        if parts.get("number") is None:
            continue
        try:
            on = dt.date(int(parts.get("year") or 2000), int(parts.get("month") or 1), int(parts.get("day") or 1))
        except ValueError:
            continue
        found.add(format_number(pattern, int(parts["number"]), on))


@dataclass(frozen=True)
class Proposal:
    status: str
    document: Document | None
    note: str


def _money(amount: Decimal, currency: str) -> str:
    return reader_amount(round_to_minor_unit(amount, currency), currency)


def proforma_numbers(title: str, companies: Iterable[HomeCompany]) -> set[tuple[int, str]]:
    """(home company id, number) of the proformas the title may name."""
    return {(company.pk, number) for company in companies
            for number in numbers_in(title, company.proforma_pattern)}


def proformas_named(keys: set[tuple[int, str]]) -> dict[tuple[int, str], list[Document]]:
    """The proformas of each (home company id, number), whatever their status."""
    found: dict[tuple[int, str], list[Document]] = {}
    keys = sorted(keys)
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start:start + _LOOKUP_CHUNK]
        query = Q()
        for company_id, number in chunk:
            query |= Q(home_company_id=company_id, number=number)
        for document in Document.objects.filter(query, type=DocumentType.PROFORMA).order_by("number"):
            found.setdefault((document.home_company_id, document.number), []).append(document)
    return found


def propose(*, amount: Decimal, currency: str, numbers: set[tuple[int, str]],
            named: dict[tuple[int, str], list[Document]]) -> Proposal:
    """The matching rule (the module's docstring) for one transfer."""
    if amount <= 0:
        return Proposal(BankLineStatus.IGNORED, None, _("Outgoing transfer: only incoming payments are matched."))
    if not numbers:
        return Proposal(BankLineStatus.UNMATCHED, None, _("The title names no proforma number."))
    documents = sorted({d.pk: d for key in numbers for d in named.get(key, [])}.values(), key=lambda d: d.number)
    if not documents:
        return Proposal(BankLineStatus.UNMATCHED, None, _("No proforma is numbered %(numbers)s.") % {
            "numbers": ", ".join(sorted(number for _company, number in numbers))})
    unpaid = [d for d in documents if d.status == DocumentStatus.UNPAID]
    if not unpaid:
        return Proposal(BankLineStatus.UNMATCHED, None, _("Nothing is due on %(numbers)s (%(statuses)s).") % {
            "numbers": ", ".join(d.number for d in documents),
            "statuses": ", ".join(str(d.get_status_display()).lower() for d in documents)})
    same_currency = [d for d in unpaid if d.currency == currency]
    if not same_currency:
        return Proposal(BankLineStatus.UNMATCHED, None, _("%(numbers)s is due in %(currencies)s; the transfer is in "
                                                          "%(currency)s.") % {
            "numbers": ", ".join(d.number for d in unpaid),
            "currencies": ", ".join(sorted({d.currency for d in unpaid})), "currency": currency})
    if len(same_currency) > 1:
        return Proposal(BankLineStatus.AMBIGUOUS, None, _("The title names several unpaid proformas (%(numbers)s): "
                                                          "choose the one paid.") % {
            "numbers": ", ".join(d.number for d in same_currency)})
    document = same_currency[0]
    if amount == document.amount_due:
        return Proposal(BankLineStatus.MATCHED, document, "")
    if amount < document.amount_due:
        note = _("%(amount)s received, %(due)s due on %(number)s: a partial payment?")
    else:
        note = _("%(amount)s received, only %(due)s due on %(number)s: an overpayment?")
    return Proposal(BankLineStatus.AMBIGUOUS, document, note % {
        "amount": _money(amount, currency), "due": _money(document.amount_due, currency), "number": document.number})
