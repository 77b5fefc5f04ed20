"""Inserting many new rows at once (a CSV import of 100,000 clients): PostgreSQL's COPY, which takes
rows several times faster than INSERTs, elsewhere Django's bulk_create. The rows are model
instances built in Python (their primary keys set when they are UUIDs), or mappings of attname →
value; nothing else happens on insert — no save(), no signals — exactly as with bulk_create. Runs
inside the caller's transaction.

On PostgreSQL the rows are sent as COPY's text format built a column at a time: a column of text
is joined and searched once for the four characters COPY escapes (backslash, tab, line feed,
carriage return) and escaped value by value only when one is there — psycopg's write_row, which
adapts and escapes every value on its own, cost more than the rest of the import's writes.

CopySender sends such batches from a second thread, so PostgreSQL works on one batch while the
caller prepares the next; without_collections keeps Python's garbage collector from walking the
job's growing objects over and over."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connection, models
from django.utils import timezone

# Fields whose Python value is written as its text (str(), isoformat(), t/f); any other field (a
# subclass such as the Amount field's integer units) goes through its get_db_prep_save first.
_PLAIN = {models.CharField, models.EmailField, models.TextField, models.UUIDField, models.BooleanField,
          models.IntegerField, models.BigIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField,
          models.PositiveSmallIntegerField, models.SmallIntegerField, models.DateTimeField, models.DateField,
          models.GenericIPAddressField, models.ForeignKey, models.OneToOneField}

_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _needs_escaping(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def _copy_text(value: Any) -> str:
    """One value in COPY's text format, escaped."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES) if _needs_escaping(value) else value
    if value is None:
        return _NULL
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    text = str(value)  # int, Decimal, UUID, an IP address
    return text.translate(_ESCAPES) if _needs_escaping(text) else text


def _copy_column(values: list[Any]) -> list[str]:
    """A column's values in COPY's text format. Text without anything to escape (nearly all of it)
    is taken as it is; a value repeated down the whole column (a default, the moment of the
    insert) is written once."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return [value.translate(_ESCAPES) for value in values] if _needs_escaping("".join(values)) else values
    if len(kinds) == 1 and values.count(values[0]) == len(values):
        return [_copy_text(values[0])] * len(values)
    if kinds == {UUID}:
        return list(map(str, values))
    return [_copy_text(value) for value in values]


def _json_column(values: list[Any], field: models.JSONField) -> list[str]:
    """JSON as Django would store it (the field's encoder); one document repeated (a default, the
    same permissions for every row) is encoded once."""
    # One encoder for the column: json.dumps(cls=…) makes a new one per value.
    dumps = (field.encoder or json.JSONEncoder)().encode
    texts, last, last_text = [], object(), ""
    for value in values:
        if value is not last:
            last = value
            last_text = _NULL if value is None and field.null else _copy_text(dumps(value))
        texts.append(last_text)
    return texts


class CopyBatch(NamedTuple):
    """One COPY statement and its rows in COPY's text format, ready to send."""

    sql: str
    text: str


def insert_rows(model: type[models.Model], rows: Sequence[models.Model | Mapping[str, Any]], *,
                batch_size: int = 2000) -> None:
    """Insert these new rows of model: instances, or mappings of attname → value (cheaper to build
    than instances by the hundred thousand; a field left out takes its default, computed once).
    Auto-increment keys are left to the database, auto_now and auto_now_add fields set to one moment."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        _bulk_create(model, rows, batch_size)
        return
    batch = copy_batch(model, rows)
    # Through Django's error wrapper, as the ORM's own statements: a unique clash is an
    # IntegrityError the caller can catch, not psycopg's own exception.
    with connection.wrap_database_errors:
        connection.ensure_connection()
        _send(connection.connection, [batch])


def _stamped(model: type[models.Model]) -> tuple[list[models.Field], set[str]]:
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    return fields, {f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)}


def _defaults(fields: list[models.Field], stamped: set[str], now: datetime) -> dict[str, Any]:
    return {f.attname: now if f.attname in stamped else f.get_default() for f in fields if not f.primary_key}


def _bulk_create(model: type[models.Model], rows: Sequence[models.Model | Mapping[str, Any]], batch_size: int) -> None:
    now: datetime = timezone.now()
    fields, stamped = _stamped(model)
    if isinstance(rows[0], Mapping):
        defaults = _defaults(fields, stamped, now)
        rows = [model(**{**defaults, **row}) for row in rows]
    else:
        for row in rows:
            for attname in stamped:
                setattr(row, attname, now)
    model.objects.bulk_create(rows, batch_size=batch_size)


def copy_batch(model: type[models.Model], rows: Sequence[models.Model | Mapping[str, Any]]) -> CopyBatch:
    """The COPY (PostgreSQL) inserting these new rows, as insert_rows would: built here, in the
    caller's thread (the defaults and conversions are Django's), sent by insert_rows or a
    CopySender."""
    now: datetime = timezone.now()
    fields, stamped = _stamped(model)
    mappings = isinstance(rows[0], Mapping)
    if mappings:
        defaults = _defaults(fields, stamped, now)
    else:
        for row in rows:
            for attname in stamped:
                setattr(row, attname, now)
    given = _given_columns(fields, rows) if mappings else {}
    columns = []
    for field in fields:
        name = field.attname
        if name in given:
            values = given[name]
        elif mappings:
            default = defaults.get(name)
            values = [row.get(name, default) for row in rows]
        else:
            values = [getattr(row, name) for row in rows]
        if isinstance(field, models.JSONField):
            columns.append(_json_column(values, field))
            continue
        if type(field) not in _PLAIN and not (isinstance(field, models.IntegerField) and _all_int(values)):
            values = _prepared(field, values)
        columns.append(_copy_column(values))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    return CopyBatch(sql, "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n")


def _given_columns(fields: list[models.Field], rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple]:
    """The columns every row gives (the keys of the first row, when all the rows have them), read
    a row at a time by itemgetter, in C: a Python loop per field and row cost a 100,000-client
    import a second and a half. A key some row lacks leaves its column to the caller's loop."""
    names = [f.attname for f in fields if f.attname in rows[0]]
    # Plain dicts only: row[name] on a mapping with __missing__ (a defaultdict) would answer
    # its own default where row.get answers the field's. One name: itemgetter answers no tuple.
    if len(names) < 2 or set(map(type, rows)) != {dict}:
        return {}
    try:
        return dict(zip(names, zip(*map(itemgetter(*names), rows), strict=True), strict=True))
    except KeyError:
        return {}


def _prepared(field: models.Field, values: list[Any]) -> list[Any]:
    """The field's database values of these (a value repeated down the whole column, such as a
    default, converted once)."""
    first = values[0]
    if values.count(first) == len(values):
        return [field.get_db_prep_save(first, connection)] * len(values)
    return [field.get_db_prep_save(value, connection) for value in values]


def _all_int(values: list[Any]) -> bool:
    """Integers already (an integer field's subclass, such as the money fields' units, given its
    stored value): nothing to convert."""
    return set(map(type, values)) == {int}


_SEND_CHUNK = 1 << 20  # characters handed to libpq at a time


def _send(raw_connection: Any, batches: Sequence[CopyBatch], *, check_now: bool = False) -> None:
    with raw_connection.cursor() as cursor:
        for batch in batches:
            with cursor.copy(batch.sql) as copy:
                for start in range(0, len(batch.text), _SEND_CHUNK):
                    copy.write(batch.text[start:start + _SEND_CHUNK])
        if check_now:
            # The foreign keys (deferred to the commit) checked now, then deferred again: the
            # batch's, and any the caller's transaction wrote before (CopySender's callers own
            # their transaction). Django declares every constraint it defers INITIALLY DEFERRED,
            # so DEFERRED puts each back as it was.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class PreparedRows(NamedTuple):
    """Rows made ready by CopySender.prepare: on PostgreSQL their COPY statements and text,
    elsewhere the (model, rows) pairs themselves."""

    copies: list[CopyBatch]
    rows: list[tuple[type[models.Model], Sequence[models.Model | Mapping[str, Any]]]]


class CopySender:
    """Sends COPY batches from a second thread, in order, on the caller's own connection and inside
    its transaction, while the caller prepares the next batch: PostgreSQL's work on one batch (most
    of it maintaining the indexes) overlaps Python's on the next. psycopg waits for the server
    without holding the GIL.

    The connection is the caller's, so the caller must not use it while a batch is on its way:
    `wait()` before any other statement (it raises what the batch raised, as Django's
    IntegrityError or DatabaseError), and `close()` — which waits too — before leaving the
    transaction, also on an error. Off PostgreSQL the rows are inserted at once by send()."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def prepare(self, batches: Sequence[tuple[type[models.Model], Sequence[models.Model | Mapping[str, Any]]]]
                ) -> PreparedRows:
        """These (model, rows) pairs made ready to send — on PostgreSQL their COPY text, built here
        in the caller's thread. A caller that prepares a batch before it waits for the one on its
        way (send() waits) leaves PostgreSQL no idle moment while the text is built."""
        batches = [(model, rows) for model, rows in batches if rows]
        if connection.vendor != "postgresql":
            return PreparedRows([], batches)
        return PreparedRows([copy_batch(model, rows) for model, rows in batches], [])

    def send(self, batches: PreparedRows | Sequence[tuple[type[models.Model],
                                                          Sequence[models.Model | Mapping[str, Any]]]]) -> None:
        """Insert these rows — prepared, or (model, rows) pairs prepared here — in order, once the
        batch before has gone."""
        prepared = batches if isinstance(batches, PreparedRows) else self.prepare(batches)
        self.wait()
        for model, rows in prepared.rows:  # off PostgreSQL: at once
            _bulk_create(model, rows, 2000)
        if not prepared.copies:
            return
        connection.ensure_connection()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self._pending = self._pool.submit(_send, connection.connection, prepared.copies, check_now=True)

    def wait(self) -> None:
        """Until the batch on its way is in; raises what it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                pending.result()

    def close(self, *, quiet: bool = False) -> None:
        """Wait for the batch on its way and end the thread; `quiet` (leaving on another error)
        drops the batch's own error instead of raising it."""
        try:
            self.wait()
        except Exception:
            if not quiet:
                raise
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


_collections_lock = threading.Lock()
_collections_held = 0  # bulk jobs running now without collections
_collections_were_on = True


@contextmanager
def without_collections() -> Iterator[None]:
    """Python's cyclic garbage collector off while a bulk job builds hundreds of thousands of
    short-lived rows: by default every 700 new objects start a collection, and the walks over every
    live object (the job's growing sets included) cost a CSV import of 20,000 clients a fifth of
    its time, and still a tenth when run seldom. Reference counting frees the rows, which hold no
    cycles (the import's peak memory is the same with the collector on or off).

    The collector is the process's: in a Huey worker's other threads, cycles made meanwhile wait
    for the end of the job (an import of 100,000 rows: about 20 s) and are collected then. Jobs
    running at once share it: the first turns it off, the last puts it back as it was."""
    global _collections_held, _collections_were_on
    with _collections_lock:
        if not _collections_held:
            _collections_were_on = gc.isenabled()
            gc.disable()
        _collections_held += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_held -= 1
            if not _collections_held and _collections_were_on:
                gc.enable()
