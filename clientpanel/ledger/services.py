"""The ledger: the only place a client's balance moves (SPEC §5)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

import psycopg
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client, ClientBalance
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.actor import Actor, current_actor
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import has_subscribers, publish, publish_all
from clientpanel.core.money import AMOUNT_MAX, AmountError, amount_to_units, parse_amount, units_to_amount
from clientpanel.core.text import clean_text

from . import policies
from .events import LedgerEntryPosted
from .models import EntryType, LedgerEntry

BALANCE_MAX_UNITS = amount_to_units(AMOUNT_MAX)


def _credit_limit_of(client_id_sql: str) -> str:
    """SQL for the credit limit of the client `client_id_sql` names: it stays on the client's row,
    read by the balance row's UPDATE that checks funds."""
    return f"(SELECT credit_limit FROM clients_client WHERE id = {client_id_sql})"  # noqa: S608 — callers pass a placeholder or a column


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class TransactionIdUsed(Conflict):
    """The external transaction ID is on an entry that this request does not repeat exactly."""

    code = "transaction_id_used"

    @classmethod
    def by(cls, entry: LedgerEntry, currency: str = "") -> TransactionIdUsed:
        what = f"{entry.get_type_display().lower()} {entry.net:+} {currency}".strip()
        message = _("Transaction ID %(transaction_id)s is already used by entry #%(sequence)s (%(entry)s, %(date)s); "
                    "nothing new was posted.") % {"transaction_id": repr(entry.transaction_id),
                                                  "sequence": entry.sequence, "entry": what,
                                                  "date": f"{entry.created_at:%Y-%m-%d}"}
        return cls(message, fields={"transaction_id": [
            _("Already used by entry #%(sequence)s.") % {"sequence": entry.sequence}]})


def entry_post(
    *,
    client_id,
    type: str,
    net: Decimal,
    gross: Decimal | None = None,
    description: str = "",
    transaction_id: str = "",
    service_id=None,
    period_start: dt.datetime | None = None,
    period_end: dt.datetime | None = None,
    document_id=None,
    check_credit: bool = False,
    allow_over_limit: bool = False,
) -> tuple[LedgerEntry, bool]:
    """Post one entry and move the balance, atomically with the caller's transaction.

    One UPDATE moves the client's balance and takes its next sequence number; it holds the
    client's balance row lock until the transaction ends, so concurrent posts on one client queue up and
    none is lost, and balance_before is exactly the previous balance_after. An entry with a
    transaction ID the client already has is not posted again: the existing entry comes back with
    created=False (also when two such posts race: the unique index decides). With check_credit,
    a debit beyond balance + credit limit is refused (InsufficientFunds) unless allow_over_limit.
    """
    gross = net if gross is None else gross
    # On PostgreSQL the post is one statement, atomic by itself: outside a caller's transaction it
    # needs no BEGIN/COMMIT round trips of its own — unless something subscribes to posted entries,
    # whose writes (outbox rows) must commit with the entry.
    announce = has_subscribers(LedgerEntryPosted)
    single_statement = connection.vendor == "postgresql" and not connection.in_atomic_block and not announce
    try:
        with transaction.atomic() if not single_statement else contextlib.nullcontext():
            if transaction_id:
                existing = LedgerEntry.objects.filter(client_id=client_id, transaction_id=transaction_id).first()
                if existing is not None:
                    return existing, False
            entry = _post_locked(client_id=client_id, type=type, net=net, gross=gross, description=description,
                                 transaction_id=transaction_id, service_id=service_id, period_start=period_start,
                                 period_end=period_end, document_id=document_id, check_credit=check_credit,
                                 allow_over_limit=allow_over_limit)
            if announce:
                publish(LedgerEntryPosted.of(entry))
    except IntegrityError:
        if transaction_id:
            existing = LedgerEntry.objects.filter(client_id=client_id, transaction_id=transaction_id).first()
            if existing is not None:
                return existing, False
        raise
    return entry, True


_INSERT_FIELDS = ("id", "client_id", "sequence", "type", "gross", "net", "balance_before", "balance_after",
                  "description", "transaction_id", "service_id", "period_start", "period_end", "document_id",
                  "created_at", "created_by_kind", "created_by_id", "created_by_label", "impersonator_id")


def _params(conn, values: dict) -> dict:
    """Column values as the database driver wants them (the ORM's conversions, spelled out because
    this runs for every post)."""
    on_postgres = conn.vendor == "postgresql"

    def uid(value):
        if value is None or on_postgres:
            return value
        return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).hex

    def when(value):
        return value if value is None or on_postgres else conn.ops.adapt_datetimefield_value(value)

    return {
        "id": uid(values["id"]), "client_id": uid(values["client_id"]), "type": values["type"],
        "gross": amount_to_units(values["gross"]), "net": amount_to_units(values["net"]),
        "description": values["description"], "transaction_id": values["transaction_id"],
        "service_id": uid(values["service_id"]), "period_start": when(values["period_start"]),
        "period_end": when(values["period_end"]), "document_id": uid(values["document_id"]),
        "created_at": when(values["created_at"]), "created_by_kind": values["created_by_kind"],
        "created_by_id": uid(values["created_by_id"]), "created_by_label": values["created_by_label"],
        "impersonator_id": uid(values["impersonator_id"]),
    }


def _recorded_by(actor: Actor) -> dict:
    """Who posts: the actor, and the staff member behind it during Login as Owner."""
    return {"created_by_kind": actor.kind, "created_by_id": actor.user_id, "created_by_label": actor.label[:300],
            "impersonator_id": actor.impersonator_id}


def _post_locked(*, client_id, type, net, gross, description, transaction_id, service_id, period_start, period_end,
                 document_id, check_credit, allow_over_limit) -> LedgerEntry:
    """Move the balance and insert the entry. Posting is the hottest write path, so this speaks
    SQL: on PostgreSQL one statement (UPDATE … RETURNING feeding the INSERT), elsewhere the same
    UPDATE then the INSERT inside the caller's transaction."""
    actor = current_actor()
    values = {
        "id": uuid.uuid4(), "client_id": client_id, "type": type, "gross": gross, "net": net,
        "description": description[:500], "transaction_id": transaction_id, "service_id": service_id,
        "period_start": period_start, "period_end": period_end, "document_id": document_id,
        "created_at": timezone.now(), **_recorded_by(actor),
    }
    conn = connections[DEFAULT_DB_ALIAS]
    params = _params(conn, values)
    net_units = params["net"]
    # A debit must fit in balance + credit limit unless the caller allows more, and no balance may
    # leave the range amounts have; both checked in the UPDATE itself, so a refused post changes
    # nothing and takes no sequence number (a post outside a transaction commits with its statement).
    params["balance_max"] = BALANCE_MAX_UNITS
    guard = " AND balance + %(net)s BETWEEN -%(balance_max)s AND %(balance_max)s"
    if check_credit and net < 0 and not allow_over_limit:
        guard += f" AND balance + {_credit_limit_of('%(client_id)s')} + %(net)s >= 0"
    update = ("UPDATE clients_clientbalance SET balance = balance + %(net)s, "  # noqa: S608
              "ledger_sequence = ledger_sequence + 1 WHERE client_id = %(client_id)s" + guard
              + " RETURNING balance, ledger_sequence")
    columns = ", ".join(_INSERT_FIELDS)
    if conn.vendor == "postgresql":
        placeholders = ", ".join(
            {"sequence": "moved.ledger_sequence", "balance_before": "moved.balance - %(net)s",
             "balance_after": "moved.balance"}.get(name, f"%({name})s") for name in _INSERT_FIELDS)
        sql = (f"WITH moved AS ({update}) INSERT INTO ledger_ledgerentry ({columns}) "  # noqa: S608
               f"SELECT {placeholders} FROM moved RETURNING sequence, balance_after")
        conn.ensure_connection()
        # A server-side-bound, prepared statement: PostgreSQL plans it once per connection instead
        # of parsing and planning every post (Django's own cursors bind on the client).
        with conn.wrap_database_errors, psycopg.Cursor(conn.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            row = cursor.fetchone()
    else:
        with conn.cursor() as cursor:
            cursor.execute(update, params)
            row = cursor.fetchone()
            if row is not None:
                params |= {"sequence": row[1], "balance_before": row[0] - net_units, "balance_after": row[0]}
                cursor.execute(f"INSERT INTO ledger_ledgerentry ({columns}) VALUES ("  # noqa: S608
                               + ", ".join(f"%({name})s" for name in _INSERT_FIELDS) + ")", params)
                row = (row[1], row[0])
    if row is None:
        _refusal(client_id, net)
    sequence, balance_after = row[0], units_to_amount(row[1])
    entry = LedgerEntry(sequence=sequence, balance_before=balance_after - net, balance_after=balance_after,
                        **values)
    entry._state.adding = False
    entry._state.db = "default"
    return entry


def _refusal(client_id, net: Decimal):
    """Why the UPDATE moved nothing: no such client, or not enough funds."""
    client = Client.objects.filter(pk=client_id).select_related("balance_row").only(
        "credit_limit", "currency", "balance_row__balance").first()
    if client is None:
        raise NotFound(_("Client not found."))
    if abs(client.balance + net) > AMOUNT_MAX:
        raise ValidationFailed(_("The balance would leave the supported range."),
                               fields={"amount": [_("The resulting balance is out of range.")]})
    raise InsufficientFunds(
        _("Not enough funds: balance %(balance)s + credit limit %(credit_limit)s %(currency)s do not cover "
          "%(amount)s.") % {"balance": client.balance, "credit_limit": client.credit_limit,
                            "currency": client.currency, "amount": -net},
        fields={"amount": [_("Exceeds the balance plus the credit limit.")]},
    )


def manual_transaction_create(*, actor: ActorLike, client_id, amount: object, transaction_id: object = "",
                              description: object = "", allow_over_limit: bool = False) -> tuple[LedgerEntry, bool]:
    """A staff or API adjustment (SPEC §5): signed amount, optional transaction ID, description;
    posted as ADJUSTMENT with gross = net. A debit beyond balance + credit limit needs an explicit,
    logged override. The same transaction ID with the same amount is a replay: the entry posted
    before comes back (created=False); the ID on any other entry is TransactionIdUsed."""
    require(policies.can_post_transactions(as_actor(actor)), _("You are not allowed to post transactions."))
    errors = FieldErrors()
    net = None
    try:
        net = parse_amount(amount)
        if net == 0:
            errors.add("amount", _("The amount cannot be zero."))
    except AmountError as error:
        errors.add("amount", str(error))
    transaction_id = clean_text(transaction_id, "transaction_id", errors, limit=100, single_line=True)
    description = clean_text(description, "description", errors, limit=500)
    if not description:
        errors.add("description", _("Describe the transaction."))
    errors.raise_if_any()
    with transaction.atomic():
        visible = clients_visible_to(actor)
        if not visible.filter(pk=client_id).exists():
            raise NotFound(_("Client not found."))
        entry, created = entry_post(client_id=client_id, type=EntryType.ADJUSTMENT, net=net,
                                    description=description, transaction_id=transaction_id,
                                    check_credit=True, allow_over_limit=allow_over_limit)
        if not created and (entry.type != EntryType.ADJUSTMENT or entry.net != net):
            raise TransactionIdUsed.by(entry, Client.objects.only("currency").get(pk=client_id).currency)
        if created:
            over = allow_over_limit and entry.balance_after + _credit_limit(client_id) < 0
            audit_record(action="ledger.manual_transaction", target=entry, client_id=client_id,
                         object_label=f"{entry.net} #{entry.sequence}",
                         changes={"amount": [None, entry.net], "transaction_id": [None, transaction_id or None],
                                  "credit_limit_override": [None, True] if over else [None, None]})
    return entry, created


def _credit_limit(client_id) -> Decimal:
    return Client.objects.only("credit_limit").get(pk=client_id).credit_limit


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
        guard += f" AND (v.total >= 0 OR balance + {_credit_limit_of('v.cid')} + v.total >= 0)"
    with conn.cursor() as cursor:
        # Unqualified column names: SQLite's RETURNING accepts no table alias.
        cursor.execute(f"WITH v(cid, total, n) AS (VALUES {values}) "  # noqa: S608 — placeholders only
                       "UPDATE clients_clientbalance SET balance = balance + v.total, "
                       "ledger_sequence = ledger_sequence + v.n FROM v WHERE client_id = v.cid" + guard
                       + " RETURNING client_id, balance, ledger_sequence", params)
        moved = {pk_field.to_python(row[0]): (units_to_amount(row[1]), row[2]) for row in cursor.fetchall()}
    recorded_by = _recorded_by(current_actor())
    now = timezone.now()
    rows = []
    for cid, (balance_after, last_sequence) in moved.items():
        entries = entries_by_client[cid]
        running, sequence = balance_after - totals[cid], last_sequence - len(entries)
        for e in entries:
            sequence += 1
            before, running = running, running + e["net"]
            rows.append(LedgerEntry(
                id=e.get("id") or uuid.uuid4(), client_id=cid, sequence=sequence, type=e["type"], net=e["net"],
                gross=e.get("gross", e["net"]), balance_before=before, balance_after=running,
                description=e.get("description", "")[:500], transaction_id="", service_id=e.get("service_id"),
                period_start=e.get("period_start"), period_end=e.get("period_end"),
                document_id=e.get("document_id"), created_at=now, **recorded_by))
    LedgerEntry.objects.bulk_create(rows, batch_size=1000)
    if has_subscribers(LedgerEntryPosted):
        publish_all(LedgerEntryPosted.of(row) for row in rows)
    return rows, set(totals) - set(moved)


def entries_post_select(*, rows_sql: str, params: dict, client_ids: Iterable, check_credit: bool = False) -> set:
    """Post the entries a query yields without bringing them into Python, for batch jobs on
    PostgreSQL (a billing pass charging thousands of services). `rows_sql` yields the columns id,
    client_id, type, net (in units of 0.0001, like the balance), description, service_id,
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
    recorded_by = _recorded_by(current_actor())
    params = {**params, "_balance_max": BALANCE_MAX_UNITS, "_now": timezone.now(),
              **{f"_{key}": value for key, value in recorded_by.items()}}
    credit = f"AND (t.total >= 0 OR b.balance + {_credit_limit_of('t.client_id')} + t.total >= 0)" \
        if check_credit else ""
    values = {"sequence": "m.ledger_sequence - m.n + row_number() OVER w", "gross": "r.net",
              "balance_before": "m.balance - m.total + sum(r.net) OVER w - r.net",
              "balance_after": "m.balance - m.total + sum(r.net) OVER w", "transaction_id": "''",
              "created_at": "%(_now)s", **{key: f"%(_{key})s" for key in recorded_by}}
    select = ", ".join(values.get(column, f"r.{column}") for column in _INSERT_FIELDS)
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
            f"e AS (INSERT INTO ledger_ledgerentry ({', '.join(_INSERT_FIELDS)}) SELECT {select}",
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
