"""Recording audit events. Call inside the service's transaction, after the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models, transaction

from clientpanel.core.actor import current_actor
from clientpanel.core.bulk import insert_rows
from clientpanel.core.errors import NotFound
from clientpanel.core.text import text_problem

from .models import AuditEvent

SECRET_FIELDS = {"password", "totp_secret", "recovery_codes", "token_hash"}


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:  # most values: as they are
        return value
    if kind is list and len(value) == 2 and (value[0] is None or type(value[0]) is str) \
            and (value[1] is None or type(value[1]) is str):
        return value  # a change [old, new] of text, the usual one
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value) if isinstance(value, set) else [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of a model instance (foreign keys as ids, secrets left out)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS or field.name in {"search_text", "updated_at", "created_at"}:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def created(instance: models.Model, **extra: Any) -> dict[str, list[Any]]:
    """The changes of a creation: every value that is set, from nothing."""
    values = {k: v for k, v in snapshot(instance).items() if v not in ("", None, False) and k != "id"}
    return {k: [None, v] for k, v in {**values, **extra}.items()}


def deleted(instance: models.Model) -> dict[str, list[Any]]:
    values = {k: v for k, v in snapshot(instance).items() if v not in ("", None, False) and k != "id"}
    return {k: [v, None] for k, v in values.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every value that changed."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def save_audited(instance: models.Model, values: dict[str, Any], *, action: str,
                 client_id=None) -> dict[str, list[Any]]:
    """Set the values that differ on the instance, save only those fields and audit them as one
    event; answers the changes ({field: [old, new]}, empty when nothing differed: then nothing is
    written)."""
    changes = {name: [getattr(instance, name), value] for name, value in values.items()
               if getattr(instance, name) != value}
    if changes:
        for name, (_before, value) in changes.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(changes))
        audit_record(action=action, target=instance, client_id=client_id, changes=changes)
    return changes


def keyed_row_set(model: type[models.Model], key: dict[str, Any], values: dict[str, Any], *,
                  action: str) -> models.Model:
    """Make the one row of `model` with `key` (a currency's rate, its Add Funds limits…) hold
    `values`, locked while it is read and written, and audit `<action>.create` or `<action>.update`
    labelled by the key's values; the same values again write nothing."""
    fields, label = [*key, *values], " ".join(str(value) for value in key.values())
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**key).first()
        before = None if row is None else snapshot(row, fields)
        row = row or model(**key)
        for name, value in values.items():
            setattr(row, name, value)
        if before is not None and snapshot(row, fields) == before:
            return row
        row.save()
        audit_record(action=f"{action}.create" if before is None else f"{action}.update", target=row,
                     object_label=label,
                     changes=created(row) if before is None else diff(before, snapshot(row, fields)))
    return row


def keyed_row_delete(model: type[models.Model], key: dict[str, Any], *, action: str, missing: str) -> None:
    """Delete the one row of `model` with `key`, auditing `<action>.delete` with what it held;
    NotFound(missing) when there is none — a key with control characters names none (PostgreSQL
    refuses a NUL in a query)."""
    if any(isinstance(value, str) and text_problem(value, single_line=True) for value in key.values()):
        raise NotFound(missing)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**key).first()
        if row is None:
            raise NotFound(missing)
        audit_record(action=f"{action}.delete", target=row, object_label=" ".join(str(v) for v in key.values()),
                     changes=deleted(row))
        row.delete()


def _event(actor, *, action: str, target: models.Model | None = None, object_type: str = "", object_id: str = "",
           object_label: str = "", client_id=None, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """An audit event's values (attname → value) for the actor."""
    if target is not None:
        object_type = object_type or target._meta.model_name
        object_id = object_id or str(target.pk)
        object_label = object_label or str(target)[:300]
    return {
        "actor_kind": actor.kind, "actor_id": actor.user_id, "impersonator_id": actor.impersonator_id,
        "actor_label": actor.label[:300], "ip": actor.ip, "action": action,
        "object_type": object_type, "object_id": object_id, "object_label": object_label[:300], "client_id": client_id,
        "changes": {k: _plain(v) for k, v in (changes or {}).items()},
    }


def audit_record(*, action: str, target: models.Model | None = None, object_type: str = "", object_id: str = "",
                 object_label: str = "", client_id=None, changes: dict[str, Any] | None = None) -> AuditEvent:
    """Write one audit event for the current actor (request user, API token or system)."""
    return AuditEvent.objects.create(**_event(current_actor(), action=action, target=target, object_type=object_type,
                                              object_id=object_id, object_label=object_label, client_id=client_id,
                                              changes=changes))


def audit_record_many(records: Iterable[dict[str, Any]], *, batch_size: int = 2000) -> int:
    """Write many audit events of the current actor at once (a batch such as a CSV import), each
    record being audit_record's keyword arguments; answers how many were written."""
    events = audit_events_of(records)
    insert_rows(AuditEvent, events, batch_size=batch_size)
    return len(events)


def audit_events_of(records: Iterable[dict[str, Any]], *, plain: bool = False) -> list[dict[str, Any]]:
    """The AuditEvent rows (attname → value) of these records for the current actor, for a
    caller that inserts them itself with its other rows (core.bulk.CopySender). `plain`: the
    records' changes are JSON values already ({field: [old, new]} of text), taken as they are."""
    actor = current_actor()
    if not plain:
        return [_event(actor, **record) for record in records]
    base = _event(actor, action="")
    return [{**base, **record, "object_label": record.get("object_label", "")[:300]} for record in records]
