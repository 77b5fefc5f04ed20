"""Posting one entry (entry_post), the path every single charge, payment, refund and adjustment
takes: the client's balance row moved and the entry written in one statement pair under the row's
lock, the funds and range checks inside the UPDATE."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from decimal import Decimal

import psycopg
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.clients.models import Client
from clientpanel.core.actor import current_actor
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.events import has_subscribers, publish
from clientpanel.core.ids import new_id
from clientpanel.core.money import AMOUNT_MAX, amount_to_units, reader_amount, units_to_amount

from ..events import LedgerEntryPosted
from ..models import LedgerEntry
from .common import BALANCE_MAX_UNITS, INSERT_FIELDS, InsufficientFunds, credit_limit_sql, recorded_by


def entry_post(
    *,
    client_id,
    type: str,
    net: Decimal,
    gross: Decimal | None = None,
    description: str = "",
    description_code: str = "",
    description_params: dict | None = None,
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
    What the system writes comes with its code (ledger.descriptions.described), free text without.
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
                                 description_code=description_code, description_params=description_params,
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
        "description": values["description"], "description_code": values["description_code"],
        "description_params": None if values["description_params"] is None
        else json.dumps(values["description_params"]),
        "transaction_id": values["transaction_id"],
        "service_id": uid(values["service_id"]), "period_start": when(values["period_start"]),
        "period_end": when(values["period_end"]), "document_id": uid(values["document_id"]),
        "created_at": when(values["created_at"]), "created_by_kind": values["created_by_kind"],
        "created_by_id": uid(values["created_by_id"]), "created_by_label": values["created_by_label"],
        "impersonator_id": uid(values["impersonator_id"]),
    }


def _post_locked(*, client_id, type, net, gross, description, description_code, description_params, transaction_id,
                 service_id, period_start, period_end, document_id, check_credit, allow_over_limit) -> LedgerEntry:
    """Move the balance and insert the entry. Posting is the hottest write path, so this speaks
    SQL: on PostgreSQL one statement (UPDATE … RETURNING feeding the INSERT), elsewhere the same
    UPDATE then the INSERT inside the caller's transaction."""
    actor = current_actor()
    values = {
        "id": new_id(), "client_id": client_id, "type": type, "gross": gross, "net": net,
        "description": description[:500], "description_code": description_code,
        "description_params": description_params, "transaction_id": transaction_id, "service_id": service_id,
        "period_start": period_start, "period_end": period_end, "document_id": document_id,
        "created_at": timezone.now(), **recorded_by(actor),
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
        guard += f" AND balance + {credit_limit_sql('%(client_id)s')} + %(net)s >= 0"
    update = ("UPDATE clients_clientbalance SET balance = balance + %(net)s, "  # noqa: S608
              "ledger_sequence = ledger_sequence + 1 WHERE client_id = %(client_id)s" + guard
              + " RETURNING balance, ledger_sequence")
    columns = ", ".join(INSERT_FIELDS)
    if conn.vendor == "postgresql":
        placeholders = ", ".join(
            {"sequence": "moved.ledger_sequence", "balance_before": "moved.balance - %(net)s",
             "balance_after": "moved.balance",
             # A text parameter in a SELECT list stays text, which a jsonb column does not take.
             "description_params": "%(description_params)s::jsonb"}.get(name, f"%({name})s") for name in INSERT_FIELDS)
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
                               + ", ".join(f"%({name})s" for name in INSERT_FIELDS) + ")", params)
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
    # Amounts as the pages write them in the reader's language ("1 000,50 zł"), not "1000.5000 PLN".
    raise InsufficientFunds(
        _("Not enough funds: balance %(balance)s + credit limit %(credit_limit)s do not cover %(amount)s.") % {
            "balance": reader_amount(client.balance, client.currency),
            "credit_limit": reader_amount(client.credit_limit, client.currency),
            "amount": reader_amount(-net, client.currency)},
        fields={"amount": [_("Exceeds the balance plus the credit limit.")]},
    )
