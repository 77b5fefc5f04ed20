"""insert_rows writes what bulk_create would: text with the characters COPY escapes, NULLs, JSON,
booleans, dates and defaults come back as they went in (PostgreSQL's COPY text format, SQLite's
bulk_create)."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.core.bulk import insert_rows

pytestmark = pytest.mark.django_db


def test_rows_given_as_values_come_back_as_written_with_escaped_text_nulls_and_json():
    client_id = uuid.uuid4()
    awkward = "tab\there, line\nbreak, return\r, back\\slash \\N and \\t, quote \" and ' ünïcødé"
    changes = {"note": [None, awkward], "nested": {"list": [1, 2.5, True, None], "empty": ""}}
    insert_rows(AuditEvent, [
        {"actor_kind": "system", "actor_label": awkward, "action": "test.one", "object_type": "t",
         "object_id": "1", "client_id": client_id, "changes": changes, "ip": "2001:db8::1"},
        {"actor_kind": "system", "actor_label": "\\N", "action": "test.two", "object_type": "t", "object_id": "2",
         "client_id": None},  # the default changes ({}), no IP
    ])
    one, two = AuditEvent.objects.get(action="test.one"), AuditEvent.objects.get(action="test.two")
    assert one.actor_label == awkward
    assert one.changes == changes
    assert one.client_id == client_id
    assert one.ip == "2001:db8::1"
    assert one.created_at is not None and two.created_at is not None
    assert two.actor_label == "\\N"  # text, not NULL
    assert two.client_id is None and two.ip is None
    assert two.changes == {}


def test_a_field_only_some_rows_give_takes_its_default_in_the_others_whichever_row_comes_first():
    # The columns of the first row's keys are read a row at a time (core.bulk._given_columns); a
    # key missing from a later row, or given only by a later row, is read field by field instead.
    with_ip = {"actor_kind": "system", "actor_label": "with", "action": "test.with", "object_type": "t",
               "object_id": "1", "ip": "192.0.2.7", "changes": {"a": [None, "1"]}}
    without = {"actor_kind": "system", "actor_label": "without", "action": "test.without", "object_type": "t",
               "object_id": "2"}
    insert_rows(AuditEvent, [without, with_ip, dict(without, action="test.without2")])
    insert_rows(AuditEvent, [dict(with_ip, action="test.with2"), dict(without, action="test.without3")])
    # A defaultdict's row[name] would answer its own default: such rows are read with get().
    lacking = defaultdict(str, {k: v for k, v in without.items()}, action="test.without4")
    insert_rows(AuditEvent, [dict(with_ip, action="test.with3"), lacking])
    rows = {e.action: (e.ip, e.changes, e.actor_label) for e in AuditEvent.objects.filter(action__startswith="test.")}
    assert rows == {"test.with": ("192.0.2.7", {"a": [None, "1"]}, "with"),
                    "test.with2": ("192.0.2.7", {"a": [None, "1"]}, "with"),
                    "test.without": (None, {}, "without"), "test.without2": (None, {}, "without"),
                    "test.without3": (None, {}, "without"), "test.with3": ("192.0.2.7", {"a": [None, "1"]}, "with"),
                    "test.without4": (None, {}, "without")}


def test_many_rows_across_batches_are_all_written():
    insert_rows(AuditEvent, [{"actor_kind": "system", "actor_label": f"row {n}", "action": "test.many",
                              "object_type": "t", "object_id": str(n)} for n in range(25)], batch_size=10)
    assert sorted(int(x) for x in AuditEvent.objects.filter(action="test.many").values_list("object_id", flat=True)) \
        == list(range(25))


def test_a_unique_clash_is_djangos_integrity_error_on_every_database():
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    User = get_user_model()
    User.objects.create_user(email="taken@example.com", password="correct-horse-battery")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(User, [{"email": "taken@example.com", "password": "!", "firstname": "", "lastname": ""}])


def _events(action: str, count: int, start: int = 0) -> list[dict]:
    return [{"actor_kind": "system", "actor_label": "x", "action": action, "object_type": "t", "object_id": str(n)}
            for n in range(start, start + count)]


def test_a_copy_sender_writes_its_batches_in_order_inside_the_callers_transaction():
    from django.db import connection, transaction

    from clientpanel.core.bulk import CopySender

    sender = CopySender()
    with transaction.atomic():
        sender.send([(AuditEvent, _events("test.sent", 3)), (AuditEvent, [])])
        sender.send([(AuditEvent, _events("test.sent", 2, start=3))])  # waits for the first batch
        # Prepared before the wait (the COPY text on PostgreSQL, the rows elsewhere), sent after it.
        prepared = sender.prepare([(AuditEvent, _events("test.sent", 2, start=5)), (AuditEvent, [])])
        assert len(prepared.copies if connection.vendor == "postgresql" else prepared.rows) == 1
        sender.send(prepared)
        sender.close()
        assert sorted(map(int, AuditEvent.objects.filter(action="test.sent").values_list("object_id", flat=True))) \
            == list(range(7))
        transaction.set_rollback(True)
    assert not AuditEvent.objects.filter(action="test.sent").exists()


def test_a_copy_senders_clash_is_raised_by_wait_as_djangos_integrity_error_or_dropped_when_quiet():
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    from clientpanel.core.bulk import CopySender

    User = get_user_model()
    User.objects.create_user(email="taken@example.com", password="correct-horse-battery")
    clash = [(User, [{"email": "taken@example.com", "password": "!", "firstname": "", "lastname": ""}])]
    sender = CopySender()
    with pytest.raises(IntegrityError), transaction.atomic():
        try:
            sender.send(clash)
            sender.wait()
        finally:
            sender.close(quiet=True)
    quiet = CopySender()
    with pytest.raises(LookupError), transaction.atomic():
        try:
            quiet.send(clash)  # on SQLite it raises here
            raise LookupError("the caller's own error")
        except IntegrityError:
            raise LookupError("the caller's own error") from None
        finally:
            quiet.close(quiet=True)  # the clash of PostgreSQL's thread is not raised over the error


def test_without_collections_puts_the_collector_back_as_it_was():
    import gc

    from clientpanel.core.bulk import without_collections

    assert gc.isenabled()
    with pytest.raises(RuntimeError), without_collections():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    # Two jobs at once (a Huey worker's threads): the collector comes back when the last one ends,
    # whichever ends first.
    first, second = without_collections(), without_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()
    try:
        with without_collections():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
