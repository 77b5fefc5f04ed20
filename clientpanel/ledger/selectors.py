"""Reads of the ledger and its invariants."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import clients_found_by, clients_visible_to
from clientpanel.core.ids import uuid_or_none
from clientpanel.core.money import units_to_amount
from clientpanel.core.pagination import INVALID_CURSOR, Page, capped_count, decode_cursor, keyset_page
from clientpanel.core.sorting import sort_of

from . import policies
from .descriptions import AMOUNTS, OLD_TYPES, Reading, amount_digits, readings
from .models import EntryType, LedgerEntry


@dataclass(frozen=True)
class ServiceNames:
    """How a list names an entry's service, handed in by a layer that knows services (the ledger
    sits below client_services and imports nothing of it): `name`, an expression over the entry's
    OuterRef("service_id") read in the list's own query (no query per row), kept as `service_name`
    for ledger.descriptions; `matching(word)`, the ids of the services a search word names."""

    name: Any
    matching: Callable[[str], QuerySet]


def _named(entries: QuerySet[LedgerEntry], names: ServiceNames | None) -> QuerySet[LedgerEntry]:
    return entries.annotate(service_name=names.name) if names else entries


def _searched(word: str, names: ServiceNames | None) -> Q:
    """A search word as the list's pages show an entry: its stored words (typed text as typed,
    and the English the API returns) or transaction ID, the name of its service (a charge reads
    "VPS D4E0GV, 1 month × 10.00" where the English keeps the ID), and what the system wrote as
    it reads in the active language ("Płatność za …", "1 miesiąc × 10,00"), and its type as the
    staff lists label it in that language ("Wpłata", "Refund"): conditions in the list's own query,
    never a pass over the rows in Python."""
    found = Q(description__icontains=word) | Q(transaction_id__icontains=word)
    if names:
        found |= Q(service_id__in=names.matching(word))
    if types := types_labelled(word):
        found |= Q(type__in=types)
    return _any([found, *(_shown(reading, word, names) for reading in readings(word, named=names is not None))])


def types_labelled(word: str) -> list[str]:
    """The entry types whose label, as the reader sees it (the active language: "Wpłata",
    "Korekta" in Polish), holds the word, case aside; none for most words, which then search as
    before (a condition on the type, indexed by nothing, is only added where a label holds the word)."""
    folded = word.casefold()
    return [value for value, label in EntryType.choices if folded in str(label).casefold()]


def _shown(reading: Reading, word: str, names: ServiceNames | None) -> Q | None:
    """The entries that show the word as `reading` says: those posted with its code and those
    from before the codes (of the code's entry type, tied to a document or a service, whose
    English has the wording's shape, as descriptions.describe recognises them). Both are read by
    their English, which has a period's words and each parameter as stored: no row's JSON is
    read, a LIKE on the column the list searches anyway."""
    shape = _any(map(_shaped, reading.old))
    coded = Q(description_code=reading.code) & shape if reading.periods else Q(description_code=reading.code)
    shown = coded | (Q(description_code="", type=OLD_TYPES[reading.code]) & shape
                     & (Q(document_id__isnull=False) | Q(service_id__isnull=False)))
    if reading.ways != ((),):  # the word needs pieces of the parameters
        # A parameter holding the whole word as stored is found by the stored English already.
        ways = [way for way in reading.ways if not (len(way) == 1 and way[0][1] == word and (
            way[0][0] not in AMOUNTS or amount_digits(word) == word))]
        pieces = _any(_all(_piece(name, piece, names) for name, piece in way) for way in ways)
        if pieces is None:  # nothing left, or pieces no parameter can hold (letters in an amount)
            return None
        shown &= pieces
    return shown if reading.named is None else shown & Q(service_name__isnull=not reading.named)


def _piece(name: str, piece: str, names: ServiceNames | None) -> Q | None:
    """An entry whose parameter `name` can contain `piece` as the reader sees it; None where none
    can. The English holds the parameters as stored: an amount's digits without the reader's
    separators, a number or the service's ID as they are; the service's name is its own."""
    if name == "name":
        return Q(service_id__in=names.matching(piece)) if names else None
    if name in AMOUNTS:
        digits = amount_digits(piece)
        return None if digits is None else Q(description__contains=digits)
    return Q(description__icontains=piece)


def _shaped(cut: tuple[tuple[str | None, str], ...]) -> Q:
    """Text of this shape: its fixed parts at its start, in its middle and at its end."""
    shape = Q()
    for index, (name, fixed) in enumerate(cut):
        if name is None:
            where = "startswith" if index == 0 else "endswith" if index == len(cut) - 1 else "contains"
            shape &= Q(**{f"description__{where}": fixed})
    return shape


def _all(conditions) -> Q | None:
    together = Q()
    for condition in conditions:
        if condition is None:
            return None
        together &= condition
    return together


def _any(conditions) -> Q | None:
    """Any of the conditions that can hold; None where none can."""
    possible = [condition for condition in conditions if condition is not None]
    return reduce(operator.or_, possible) if possible else None


def client_entries(*, client: Client, search: str = "", names: ServiceNames | None = None) -> QuerySet[LedgerEntry]:
    """The client's entries, newest first; `names` (pages and exports) names their services."""
    entries = _named(LedgerEntry.objects.filter(client=client).select_related("client"), names)
    for word in (search or "").split()[:4]:
        entries = entries.filter(_searched(word, names))
    return entries.order_by("-sequence")


def document_entries(*, client_id, document_id) -> QuerySet[LedgerEntry]:
    """The entries a document posted, oldest first. Read within its client: the (client, sequence)
    index finds them among the client's entries; document_id has no index of its own."""
    return LedgerEntry.objects.filter(client_id=client_id, document_id=document_id).order_by("sequence")


def entry_by_transaction_id(*, client_id, transaction_id: str) -> LedgerEntry | None:
    """The client's entry carrying this external transaction ID, if any (unique per client)."""
    if not transaction_id:
        return None
    return LedgerEntry.objects.filter(client_id=client_id, transaction_id=transaction_id).first()


# Finance → Transactions' one sort: by date, the time-ordered key's index read either way. Any other needs
# an index on the hottest insert (models.LedgerEntry.Meta); amounts across clients mix currencies.
ENTRY_SORTS: dict[str, tuple[str, ...]] = {"date": ("id",)}
ENTRY_DEFAULT_SORT = "-date"
CLIENT_ENTRY_SORTS = {"date": ("sequence",), "amount": ("net", "sequence")}  # the portal's: one client, one currency


def entries_visible_to(actor: ActorLike, *, search: str = "", type: str = "", names: ServiceNames | None = None,
                       sort: str = "") -> QuerySet[LedgerEntry]:
    """Every entry across the clients the actor may see, newest first unless `sort` is "date" (oldest
    first; ValidationFailed on `sort` for another), for the Finance area; in the portal, its
    client's entries with Manage Invoices, in one of CLIENT_ENTRY_SORTS. `names` as for client_entries."""
    actor = as_actor(actor)
    order = sort_of(sort, CLIENT_ENTRY_SORTS if actor.is_portal else ENTRY_SORTS, default=ENTRY_DEFAULT_SORT)
    if actor.is_portal and not policies.can_view_transactions(actor, actor.client_id):
        return LedgerEntry.objects.none()
    scope = clients_visible_to(actor)
    # Who sees every client needs no condition: `client IN (every client)` made PostgreSQL join the
    # clients (a hash of a million of them) for every page instead of walking the key's index.
    seen = LedgerEntry.objects.all() if _every_client(scope) else LedgerEntry.objects.filter(client__in=scope)
    entries = _named(seen.select_related("client"), names)
    if type in EntryType.values:
        entries = entries.filter(type=type)
    for word in (search or "").split()[:4]:
        # Across clients a word may also name the client; the portal shows its own client's entries.
        found = _searched(word, names)
        # The clients the directory finds by the word (its indexed search column), found once (a subquery):
        # as a join's condition it was tested for every pair of entry and client (20 million at a million entries).
        named = Q(client__in=clients_found_by(word))
        entries = entries.filter(found if actor.is_portal else found | named)
    # By the key: ids are time-ordered (core.ids.new_id), so the primary key's index serves the order
    # either way and a page starts where the last one ended (entries_page).
    return entries.order_by(*order.ordering)


def _every_client(scope: QuerySet[Client]) -> bool:
    return not scope.query.has_filters() and not scope.query.is_empty()


ENTRY_PAGE_FIELDS = ["id"]
# A search walks the key's index for its page where the page's matches lie among the next
# SEARCH_WINDOW entries; rarer matches are collected and sorted instead. Walking every entry for a
# word found 20 times in a million took twice as long as the table's (parallel) scan.
SEARCH_WINDOW = 10_000


def _found_soon(entries: QuerySet[LedgerEntry], start, *, newer: bool, wanted: int) -> bool:
    """Whether `wanted` entries match among the SEARCH_WINDOW entries older than `start` (newer, when
    `newer`; from the newest, or the oldest, without one) — or fewer entries than that are left."""
    ahead = LedgerEntry.objects.filter(**{"pk__gt" if newer else "pk__lt": start}) if start else \
        LedgerEntry.objects.all()
    edge = list(ahead.order_by("pk" if newer else "-pk").values_list("pk", flat=True)[
        SEARCH_WINDOW - 1:SEARCH_WINDOW])
    if not edge:
        return True
    near = entries.filter(**{"pk__lte" if newer else "pk__gte": edge[0]})
    if start:
        near = near.filter(**{"pk__gt" if newer else "pk__lt": start})
    return near.order_by().values("pk")[:wanted].count() >= wanted


def entries_page(actor: ActorLike, *, search: str = "", type: str = "", names: ServiceNames | None = None,
                 cursor: str | None = None, page_size: int = 50, sort: str = "") -> Page:
    """One page of entries_visible_to in its `sort`, after (or before) `cursor` (a keyset on the
    key: no row read and thrown away, however deep), with its count capped at COUNT_CAP — the
    figure a reader narrows a search by, without reading a million rows to say "more than 1,000".
    A cursor that is not this list's raises ValueError (the page says so and shows the first)."""
    descending = sort_of(sort, ENTRY_SORTS, default=ENTRY_DEFAULT_SORT).descending
    direction, start = "next", None
    if cursor:
        # Signed and made for this key, or refused; and its value an entry's id (no other list's key).
        direction, values = decode_cursor(cursor, fields=ENTRY_PAGE_FIELDS)
        if (start := uuid_or_none(values[0])) is None:
            raise ValueError(str(INVALID_CURSOR))
    entries = entries_visible_to(actor, search=search, type=type, names=names, sort=sort)
    words = (search or "").split()
    rows, next_cursor, previous_cursor = keyset_page(
        entries, fields=ENTRY_PAGE_FIELDS, descending=descending, page_size=page_size, cursor=cursor,
        value_of=lambda entry: [str(entry.pk)],
        # Newest first, Next walks to older entries and Previous to newer; oldest first, the other way.
        walk_sort_index=not words or _found_soon(entries, start, newer=(direction == "prev") == descending,
                                                 wanted=page_size + 1),
        # The page's 51 keys picked from the entries alone, then those rows loaded with their
        # clients and services' names: no join made for every entry the search passes.
        load=lambda keys: _named(LedgerEntry.objects.filter(pk__in=keys).select_related("client"), names))
    if not cursor and next_cursor is None:  # a first page that holds every match is its own count
        count, capped = len(rows), False
    else:
        # The planner's estimate stands in for the count only across every client and without
        # words: the table's own row count, or one type (a column with statistics). Words and a
        # staff member's assigned clients are counted, up to the cap.
        everyone = _every_client(clients_visible_to(actor))
        count, capped = capped_count(entries, trust_estimate=everyone and not words)
    return Page(results=rows, count=count, count_capped=capped, page_size=page_size,
                next_cursor=next_cursor, previous_cursor=previous_cursor)


def paid_to_date(*, client: Client) -> Decimal:
    """Gross of all payments minus gross of all refunds (refunds are stored negative)."""
    total = LedgerEntry.objects.filter(client=client, type__in=[EntryType.PAYMENT, EntryType.REFUND]).aggregate(
        s=Sum("gross"))["s"]
    return total or Decimal("0.0000")


@dataclass
class LedgerBreach:
    client_id: str
    entry_id: str | None
    sequence: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id} (#{self.sequence})" if self.entry_id else "its balance"
        return f"client {self.client_id}, {where}: {self.problem}"


def ledger_breaches(*, client_id=None, limit: int = 100) -> list[LedgerBreach]:
    """Every broken invariant of SPEC §5, first by client then sequence: gaps or duplicates in the
    sequence, a balance_before that is not the previous balance_after (or not 0 for the first
    entry), a row whose after ≠ before + net, and a client balance that is not the last balance
    after and the sum of all nets."""
    where = "WHERE e.client_id = %s" if client_id else ""
    params = [Client._meta.pk.get_db_prep_value(client_id, connection)] if client_id else []
    breaches: list[LedgerBreach] = []
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT client_id, id, sequence, balance_before, balance_after, net, prev_after, prev_sequence FROM (
                SELECT e.client_id, e.id, e.sequence, e.balance_before, e.balance_after, e.net,
                       LAG(e.balance_after) OVER (PARTITION BY e.client_id ORDER BY e.sequence) AS prev_after,
                       LAG(e.sequence) OVER (PARTITION BY e.client_id ORDER BY e.sequence) AS prev_sequence
                FROM ledger_ledgerentry e {where}
            ) chain
            WHERE sequence != COALESCE(prev_sequence, 0) + 1
               OR balance_before != COALESCE(prev_after, 0)
               OR balance_after != balance_before + net
            ORDER BY client_id, sequence
            LIMIT {int(limit)}
        """, params)  # noqa: S608 — `where` is one of two constants; values are parameters
        for cid, eid, seq, before, after, _net, prev_after, prev_seq in cursor.fetchall():
            if seq != (prev_seq or 0) + 1:
                problem = f"sequence {seq} follows {prev_seq or 'nothing'}"
            elif before != (prev_after or 0):
                problem = (f"balance before {units_to_amount(before)} is not the previous balance after "
                           f"{units_to_amount(prev_after or 0)}")
            else:
                problem = f"balance after {units_to_amount(after)} ≠ before + net"
            breaches.append(LedgerBreach(str(uuid.UUID(str(cid))), str(uuid.UUID(str(eid))), seq, problem))
        client_where = "AND c.id = %s" if client_id else ""
        cursor.execute(f"""
            SELECT c.id, b.balance, COALESCE(s.total, 0), COALESCE(l.balance_after, 0), b.ledger_sequence,
                   COALESCE(s.last, 0), b.currency, c.currency
            FROM clients_client c
            LEFT JOIN clients_clientbalance b ON b.client_id = c.id
            LEFT JOIN (SELECT client_id, SUM(net) AS total, MAX(sequence) AS last FROM ledger_ledgerentry
                       GROUP BY client_id) s ON s.client_id = c.id
            LEFT JOIN ledger_ledgerentry l ON l.client_id = c.id AND l.sequence = s.last
            WHERE (b.client_id IS NULL OR b.balance != COALESCE(s.total, 0)
                   OR b.balance != COALESCE(l.balance_after, 0)
                   OR b.ledger_sequence != COALESCE(s.last, 0) OR b.currency != c.currency) {client_where}
            ORDER BY c.id
            LIMIT {int(limit)}
        """, params)  # noqa: S608 — constant fragments only
        for cid, balance, total, last_after, counter, last, row_currency, currency in cursor.fetchall():
            if balance is None:
                problem = "no balance row"
            elif counter != last:
                problem = f"sequence counter {counter} but the last entry is #{last}"
            elif row_currency != currency:
                problem = f"balance row in {row_currency}, client in {currency}"
            else:
                problem = (f"balance {units_to_amount(balance)} but entries sum to {units_to_amount(total)} and end "
                           f"at {units_to_amount(last_after)}")
            breaches.append(LedgerBreach(str(uuid.UUID(str(cid))), None, None, problem))
    # Per client, broken entries come before the balance they lead to.
    return sorted(breaches, key=lambda b: (b.client_id, b.entry_id is None, b.sequence or 0))
