"""Posting many entries at once, for batch jobs (billing passes): one UPDATE of the balance rows of
all the clients concerned, each checked on its own total, and one INSERT of the entries."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from clientpanel.clients.models import Client, ClientBalance
from clientpanel.core.actor import current_actor
from clientpanel.core.events import has_subscribers, publish_all
from clientpanel.core.ids import new_id
from clientpanel.core.money import amount_to_units, units_to_amount

from ..events import LedgerEntryPosted
from ..models import LedgerEntry
from .common import BALANCE_MAX_UNITS, INSERT_FIELDS, credit_limit_sql, recorded_by


def entries_post_for_clients(*, entries_by_client: dict, check_credit: bool = False) -> tuple[list[LedgerEntry], set]:
    """Post entries to many clients at once, for batch jobs: one UPDATE of all their rows
    (each client's credit check on its own total) and one INSERT of all the entries. Clients whose
    funds do not cover their total are left untouched and answered in the refused set. Must run
    inside the caller's transaction; locks the balance rows it moves, in primary-key order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entries_post_for_clients must run inside transaction.atomic()")
    conn = connections[DEFAULT_DB_ALIAS]
    totals = {cid: sum((e["net"] for e in entries), Decimal(0))
              for cid, entries in entries_by_client.items() if entries}
    if not totals:
        return [], set()
    pk_field = Client._meta.pk
    ordered = sorted(totals, key=str)
    values = ", ".join(["(%s, %s, %s)"] * len(ordered))
    params: list = []
    for cid in ordered:
        params += [pk_field.get_db_prep_value(cid, conn), amount_to_units(totals[cid]), len(entries_by_client[cid])]
    params.append(BALANCE_MAX_UNITS)
    guard = " AND abs(balance + v.total) <= %s"
    # The rows locked in key order first, as entries_post_select does: an UPDATE … FROM locks them
    # in the order its plan reads them, and two batches sharing clients could deadlock.
    list(ClientBalance.objects.select_for_update().filter(pk__in=ordered).order_by("pk").values_list("pk", flat=True))
    if check_credit:
        guard += f" AND (v.total >= 0 OR balance + {credit_limit_sql('v.cid')} + v.total >= 0)"
    with conn.cursor() as cursor:
        # Unqualified column names: SQLite's RETURNING accepts no table alias.
        cursor.execute(f"WITH v(cid, total, n) AS (VALUES {values}) "  # noqa: S608 — placeholders only
                       "UPDATE clients_clientbalance SET balance = balance + v.total, "
                       "ledger_sequence = ledger_sequence + v.n FROM v WHERE client_id = v.cid" + guard
                       + " RETURNING client_id, balance, ledger_sequence", params)
        moved = {pk_field.to_python(row[0]): (units_to_amount(row[1]), row[2]) for row in cursor.fetchall()}
    recorder = recorded_by(current_actor())
    now = timezone.now()
    rows = []
    for cid, (balance_after, last_sequence) in moved.items():
        entries = entries_by_client[cid]
        running, sequence = balance_after - totals[cid], last_sequence - len(entries)
        for e in entries:
            sequence += 1
            before, running = running, running + e["net"]
            rows.append(LedgerEntry(
                id=e.get("id") or new_id(), client_id=cid, sequence=sequence, type=e["type"], net=e["net"],
                gross=e.get("gross", e["net"]), balance_before=before, balance_after=running,
                description=e.get("description", "")[:500], description_code=e.get("description_code", ""),
                description_params=e.get("description_params"), transaction_id="", service_id=e.get("service_id"),
                period_start=e.get("period_start"), period_end=e.get("period_end"),
                document_id=e.get("document_id"), created_at=now, **recorder))
    LedgerEntry.objects.bulk_create(rows, batch_size=1000)
    if has_subscribers(LedgerEntryPosted):
        publish_all(LedgerEntryPosted.of(row) for row in rows)
    return rows, set(totals) - set(moved)


def entries_post_select(*, rows_sql: str, params: dict, client_ids: Iterable, check_credit: bool = False) -> set:
    """Post the entries a query yields without bringing them into Python, for batch jobs on
    PostgreSQL (a billing pass charging thousands of services). `rows_sql` yields the columns id,
    client_id, type, net (in units of 0.0001, like the balance), description, description_code,
    description_params (jsonb or NULL; see ledger.descriptions), service_id,
    period_start, period_end, document_id and ord (the order of each client's entries); it may use
    `params` (pyformat); `client_ids` must name every client it yields rows for (the caller knows
    them: finding them again from `rows_sql` cost a billing pass a tenth of its time) — rows of a
    client not named are neither posted nor answered. Those clients' balance rows are locked in
    primary-key order first; then ONE statement
    moves each client's balance by the total of its entries — only where the result stays in range
    and, with check_credit, a debit total fits in balance + credit limit — and inserts the entries
    of the clients moved, with their sequence numbers and running balances. Answers the ids of the
    clients moved; the others are left untouched. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entries_post_select must run inside transaction.atomic()")
    recorder = recorded_by(current_actor())
    params = {**params, "_balance_max": BALANCE_MAX_UNITS, "_now": timezone.now(),
              **{f"_{key}": value for key, value in recorder.items()}}
    credit = f"AND (t.total >= 0 OR b.balance + {credit_limit_sql('t.client_id')} + t.total >= 0)" \
        if check_credit else ""
    values = {"sequence": "m.ledger_sequence - m.n + row_number() OVER w", "gross": "r.net",
              "balance_before": "m.balance - m.total + sum(r.net) OVER w - r.net",
              "balance_after": "m.balance - m.total + sum(r.net) OVER w", "transaction_id": "''",
              "created_at": "%(_now)s", **{key: f"%(_{key})s" for key in recorder}}
    select = ", ".join(values.get(column, f"r.{column}") for column in INSERT_FIELDS)
    listening = has_subscribers(LedgerEntryPosted)
    returned = "e.id, e.client_id, e.sequence, e.type, e.net, e.balance_after, e.service_id, e.document_id" \
        if listening else "DISTINCT e.client_id"
    ordered = params["_client_ids"] = sorted(client_ids, key=str)
    if not ordered:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_id FROM clients_clientbalance WHERE client_id = ANY(%s) "
                       "ORDER BY client_id FOR UPDATE", [ordered])
        # The caller's SQL and fixed column lists only; every value is a parameter.
        cursor.execute(" ".join([
            f"WITH r AS MATERIALIZED ({rows_sql}),",
            "t AS (SELECT client_id, sum(net) AS total, count(*) AS n FROM r GROUP BY client_id),",
            "m AS (UPDATE clients_clientbalance b SET balance = b.balance + t.total,",
            # The key list as well as the join: the planner then reads just those rows by key, where
            # the join alone let it hash the whole table (a billing batch scanned every balance).
            "ledger_sequence = b.ledger_sequence + t.n FROM t WHERE b.client_id = t.client_id",
            "AND b.client_id = ANY(%(_client_ids)s::uuid[])",
            "AND abs(b.balance + t.total) <= %(_balance_max)s", credit,
            "RETURNING b.client_id AS id, b.balance, b.ledger_sequence, t.total, t.n),",
            f"e AS (INSERT INTO ledger_ledgerentry ({', '.join(INSERT_FIELDS)}) SELECT {select}",
            "FROM r JOIN m ON m.id = r.client_id",
            "WINDOW w AS (PARTITION BY r.client_id ORDER BY r.ord ROWS UNBOUNDED PRECEDING)",
            "RETURNING id, client_id, sequence, type, net, balance_after, service_id, document_id)",
            f"SELECT {returned} FROM e"]), params)  # noqa: S608
        rows = cursor.fetchall()
    if not listening:
        return {row[0] for row in rows}
    publish_all(LedgerEntryPosted(entry_id=row[0], client_id=row[1], sequence=row[2], type=row[3],
                                  net=units_to_amount(row[4]), gross=units_to_amount(row[4]),
                                  balance_after=units_to_amount(row[5]), transaction_id="", service_id=row[6],
                                  document_id=row[7]) for row in rows)
    return {row[1] for row in rows}
