"""Inserting many new rows at once (a CSV import of 100,000 clients): PostgreSQL's COPY, which takes
rows several times faster than INSERTs, elsewhere Django's bulk_create. The rows are model
instances built in Python (their primary keys set when they are UUIDs), or mappings of attname →
value; nothing else happens on insert — no save(), no signals — exactly as with bulk_create. Runs
inside the caller's transaction.

On PostgreSQL the rows are sent as COPY's text format built a column at a time: a column of text
is joined and searched once for the four characters COPY escapes (backslash, tab, line feed,
carriage return) and escaped value by value only when one is there — psycopg's write_row, which
adapts and escapes every value on its own, cost more than the rest of the import's writes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from functools import partial
from typing import Any
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
    dumps = partial(json.dumps, cls=field.encoder) if field.encoder else json.dumps
    texts, last, last_text = [], object(), ""
    for value in values:
        if value is not last:
            last = value
            last_text = _NULL if value is None and field.null else _copy_text(dumps(value))
        texts.append(last_text)
    return texts


def insert_rows(model: type[models.Model], rows: Sequence[models.Model | Mapping[str, Any]], *,
                batch_size: int = 2000) -> None:
    """Insert these new rows of model: instances, or mappings of attname → value (cheaper to build
    than instances by the hundred thousand; a field left out takes its default, computed once).
    Auto-increment keys are left to the database, auto_now and auto_now_add fields set to one moment."""
    if not rows:
        return
    now: datetime = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    stamped = {f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)}
    mappings = isinstance(rows[0], Mapping)
    if mappings:
        defaults = {f.attname: now if f.attname in stamped else f.get_default() for f in fields
                    if not f.primary_key}
    else:
        for row in rows:
            for attname in stamped:
                setattr(row, attname, now)
    if connection.vendor != "postgresql":
        objects = rows if not mappings else [model(**{**defaults, **row}) for row in rows]
        model.objects.bulk_create(objects, batch_size=batch_size)
        return
    columns = []
    for field in fields:
        name = field.attname
        if mappings:
            default = defaults.get(name)
            values = [row.get(name, default) for row in rows]
        else:
            values = [getattr(row, name) for row in rows]
        if isinstance(field, models.JSONField):
            columns.append(_json_column(values, field))
            continue
        if type(field) not in _PLAIN:
            values = [field.get_db_prep_save(value, connection) for value in values]
        columns.append(_copy_column(values))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    # Through Django's error wrapper, as the ORM's own statements: a unique clash is an
    # IntegrityError the caller can catch, not psycopg's own exception.
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, len(rows), batch_size):
            lines = zip(*(column[start:start + batch_size] for column in columns), strict=True)
            copy.write("".join(["\t".join(line) + "\n" for line in lines]))
