"""Domain events and the transactional outbox (issue 10): rows written with the change, drained
after commit and on the schedule, retried with exponential back-off, given up after a bound."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from clientpanel.core import after_commit, outbox
from clientpanel.core.events import Event, publish, subscribe, unsubscribe
from clientpanel.core.models import NumberSequence, OutboxMessage, OutboxStatus
from clientpanel.core.outbox import GiveUp, Later, RetryPolicy, job_drain_outbox, outbox_drain

TOPIC = "test-topic"
RETRY = RetryPolicy(first_delay=dt.timedelta(seconds=30), max_delay=dt.timedelta(minutes=5), max_attempts=4)


@dataclass(frozen=True)
class Pinged(Event):
    name = "test.pinged"
    client_id: uuid.UUID
    amount: Decimal
    when: dt.datetime


def ping(amount="12.3") -> Pinged:
    return Pinged(client_id=uuid.UUID(int=7), amount=Decimal(amount),
                  when=dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC))


class FakeHandler:
    """Records what it is handed; fails the first `failures` attempts with `error`."""

    def __init__(self):
        self.handled: list[tuple[int, str, dict, int]] = []
        self.failures = 0
        self.error: Exception = ConnectionRefusedError("receiver is down")
        self.lock = threading.Lock()

    def __call__(self, message: OutboxMessage) -> None:
        with self.lock:
            self.handled.append((message.pk, message.event, message.payload, message.attempts))
            failing = self.failures > 0
            self.failures -= 1
        if failing:
            raise self.error


@pytest.fixture
def handler():
    """A test topic: Pinged events are written to the outbox for it and handled by a FakeHandler."""
    fake = FakeHandler()
    outbox.register_handler(TOPIC, fake, retry=RETRY)
    subscribe(Pinged, outbox.writer(TOPIC))
    yield fake
    unsubscribe(Pinged, outbox.writer(TOPIC))
    outbox.unregister_handler(TOPIC)


def rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.order_by("id"))


def pending_rows(count: int) -> list[OutboxMessage]:
    """Rows written straight to the table, so no after-commit drain takes them first."""
    now = timezone.now()
    return OutboxMessage.objects.bulk_create([
        OutboxMessage(topic=TOPIC, event="test.pinged", payload={"n": n}, next_attempt_at=now, created_at=now)
        for n in range(count)])


# --- events --------------------------------------------------------------------------------------

def test_event_payload_is_json_with_money_as_strings():
    assert ping().payload() == {"client_id": "00000000-0000-0000-0000-000000000007", "amount": "12.3000",
                                "when": "2026-11-22T10:00:00+00:00"}
    json.dumps(ping().payload())


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused(handler):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        publish(ping())
    assert rows() == []


@pytest.mark.django_db
def test_subscriber_writes_the_outbox_row_inside_the_publishing_transaction(handler):
    with transaction.atomic():
        publish(ping())
        row = OutboxMessage.objects.get()
    assert (row.topic, row.event, row.status, row.attempts) == (TOPIC, "test.pinged", "pending", 0)
    assert row.payload == ping().payload()
    assert row.next_attempt_at == row.created_at


@pytest.mark.django_db
def test_a_large_batch_is_written_whole(handler):
    with transaction.atomic():
        assert outbox.outbox_add(topic=TOPIC, events=[ping(str(n)) for n in range(2500)]) == 2500
    assert OutboxMessage.objects.count() == 2500
    assert OutboxMessage.objects.order_by("-id").first().payload["amount"] == "2499.0000"


@pytest.mark.django_db
def test_subscriber_that_raises_rolls_the_change_back():
    def broken(events):
        raise RuntimeError("subscriber bug")

    subscribe(Pinged, broken)
    try:
        with pytest.raises(RuntimeError, match="subscriber bug"), transaction.atomic():
            NumberSequence.objects.create(key="change")
            publish(ping())
    finally:
        unsubscribe(Pinged, broken)
    assert not NumberSequence.objects.filter(key="change").exists()


# --- written with the change, drained after commit -------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_committed_rows_are_handed_to_their_handler_after_commit(handler):
    with transaction.atomic():
        publish(ping("1"))
        publish(ping("2"))
        assert handler.handled == []  # nothing is handled before the change has committed
    assert [(event, payload["amount"], attempts) for _, event, payload, attempts in handler.handled] == [
        ("test.pinged", "1.0000", 1), ("test.pinged", "2.0000", 1)]
    assert [row.status for row in rows()] == ["done", "done"]
    assert all(row.handled_at is not None and row.last_error == "" for row in rows())


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_writes_nothing_and_hands_nothing_over(handler):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        NumberSequence.objects.create(key="change")
        publish(ping())
        1 / 0  # noqa: B018 — the change fails after the event was published
    assert rows() == [] and handler.handled == []
    assert not NumberSequence.objects.filter(key="change").exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_savepoint_drops_its_rows_and_the_rest_commits(handler):
    with transaction.atomic():
        publish(ping("1"))
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            publish(ping("2"))
            1 / 0  # noqa: B018
    assert [payload["amount"] for _, _, payload, _ in handler.handled] == ["1.0000"]
    assert len(rows()) == 1


@pytest.mark.django_db(transaction=True)
def test_one_transaction_queues_one_drain_however_many_rows(handler, monkeypatch):
    drains = []
    monkeypatch.setattr(outbox, "outbox_drain", lambda **kw: drains.append(kw))
    with transaction.atomic():
        for n in range(5):
            publish(ping(str(n)))
    assert len(drains) == 1 and len(rows()) == 5


class FakeTask:
    def __init__(self):
        self.queued: list[float] = []

    def __call__(self):
        self.queued.append(0.0)

    def schedule(self, *, delay):
        self.queued.append(delay)


def test_a_burst_of_commits_queues_one_drain_now_and_one_at_the_end_of_the_second(monkeypatch):
    from huey.contrib.djhuey import HUEY

    from clientpanel.core import tasks

    task, clock = FakeTask(), [1000.0]
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(tasks, "outbox_drain_task", task)
    monkeypatch.setattr(outbox.drain_after_commit, "_queued_starts", 0.0)
    monkeypatch.setattr(after_commit.time, "time", lambda: clock[0])
    for moment in (1000.0, 1000.2, 1000.5, 1000.9):  # commits within one second
        clock[0] = moment
        outbox.drain_after_commit.soon()
    assert task.queued == [0.0, 1.0]  # at once, then one starting after the last of them
    clock[0] = 1001.3  # a commit after the delayed drain started: the next one is queued
    outbox.drain_after_commit.soon()
    clock[0] = 1010.0  # after a quiet spell: at once again
    outbox.drain_after_commit.soon()
    assert task.queued == [0.0, 1.0, 1.0, 0.0]


@pytest.mark.django_db
def test_superusers_see_the_outbox_in_the_read_only_admin(client, handler):
    # The user model by Django's name for it: core's tests import no app above core.
    superuser = get_user_model().objects.create_superuser("root@example.com", "correct-horse-battery")
    pending_rows(1)
    outbox_drain()
    client.force_login(superuser)
    response = client.get("/django-admin/core/outboxmessage/")
    assert response.status_code == 200 and b"test.pinged" in response.content
    assert client.get("/django-admin/core/outboxmessage/add/").status_code == 403


# --- back-off and giving up --------------------------------------------------------------------

def test_retry_delays_double_from_the_first_up_to_the_cap():
    delays = [RETRY.delay(n).total_seconds() for n in range(1, 7)]
    assert delays == [30, 60, 120, 240, 300, 300]
    default = outbox.DEFAULT_RETRY
    total = sum((default.delay(n) for n in range(1, default.max_attempts)), dt.timedelta())
    assert dt.timedelta(hours=24) < total < dt.timedelta(hours=48)  # e-mail asks for at least a day


@pytest.mark.django_db
def test_failed_row_is_retried_with_exponential_back_off(handler):
    pending_rows(1)
    handler.failures = 2
    t0 = timezone.now()
    assert outbox_drain(now=t0) == {"done": 0, "failed": 1, "given_up": 0}
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, t0 + dt.timedelta(seconds=30))
    assert row.last_error == "ConnectionRefusedError: receiver is down"
    assert outbox_drain(now=t0 + dt.timedelta(seconds=29))["failed"] == 0  # not due yet
    assert len(handler.handled) == 1
    t1 = t0 + dt.timedelta(seconds=30)
    outbox_drain(now=t1)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 2, t1 + dt.timedelta(seconds=60))
    assert outbox_drain(now=t1 + dt.timedelta(seconds=60)) == {"done": 1, "failed": 0, "given_up": 0}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("done", 3, "")
    assert [attempts for *_, attempts in handler.handled] == [1, 2, 3]


@pytest.mark.django_db
def test_row_is_given_up_after_its_last_attempt(handler):
    pending_rows(1)
    handler.failures = 99
    moment = timezone.now()
    for _ in range(RETRY.max_attempts):
        outbox_drain(now=moment)
        moment += RETRY.max_delay
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == ("given_up", RETRY.max_attempts) and row.handled_at is not None
    assert outbox_drain(now=moment + dt.timedelta(days=30)) == {"done": 0, "failed": 0, "given_up": 0}
    assert len(handler.handled) == RETRY.max_attempts


@pytest.mark.django_db
def test_handler_that_gives_up_stops_at_once(handler):
    pending_rows(1)
    handler.failures, handler.error = 1, GiveUp("550 mailbox does not exist")
    assert outbox_drain()["given_up"] == 1
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("given_up", 1, "GiveUp: 550 mailbox does not exist")


@pytest.mark.django_db
def test_what_a_failing_handler_wrote_is_rolled_back():
    def half_done(message):
        NumberSequence.objects.create(key=f"sent-{message.pk}")
        raise TimeoutError("no answer")

    outbox.register_handler(TOPIC, half_done, retry=RETRY)
    try:
        pending_rows(1)
        assert outbox_drain()["failed"] == 1
    finally:
        outbox.unregister_handler(TOPIC)
    assert not NumberSequence.objects.filter(key__startswith="sent-").exists()
    assert OutboxMessage.objects.get().last_error == "TimeoutError: no answer"


@pytest.mark.django_db
def test_a_handler_answering_later_keeps_what_it_wrote_and_waits_retries_or_gives_up():
    answers = iter([Later("waiting for #1", until=timezone.now() + dt.timedelta(seconds=5)),
                    Later("503 from the receiver"), Later("410 Gone", give_up=True)])

    def logging_handler(message):
        NumberSequence.objects.create(key=f"attempt-{message.attempts}-{time.monotonic_ns()}")
        return next(answers)

    outbox.register_handler(TOPIC, logging_handler, retry=RETRY)
    try:
        pending_rows(1)
        t0 = timezone.now()
        assert outbox_drain(now=t0)["failed"] == 1
        row = OutboxMessage.objects.get()
        # A wait counts no attempt and is due at its own time, not the back-off's.
        assert (row.status, row.attempts, row.last_error) == ("failed", 0, "waiting for #1")
        assert t0 < row.next_attempt_at < t0 + dt.timedelta(seconds=6)
        t1 = row.next_attempt_at
        assert outbox_drain(now=t1)["failed"] == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, t1 + RETRY.first_delay)
        assert outbox_drain(now=row.next_attempt_at)["given_up"] == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("given_up", 2, "410 Gone")
    finally:
        outbox.unregister_handler(TOPIC)
    assert NumberSequence.objects.filter(key__startswith="attempt-").count() == 3  # nothing rolled back


@pytest.mark.django_db
def test_row_of_a_topic_without_handler_waits_and_says_why():
    pending_rows(1)
    assert outbox_drain()["failed"] == 1
    row = OutboxMessage.objects.get()
    assert row.status == "failed" and "No handler is registered for the outbox topic 'test-topic'" in row.last_error


@pytest.mark.django_db
def test_done_rows_are_deleted_after_a_week_and_given_up_rows_stay(handler):
    done, given_up, recent = pending_rows(3)
    long_ago = timezone.now() - dt.timedelta(days=8)
    OutboxMessage.objects.filter(pk=done.pk).update(status=OutboxStatus.DONE, handled_at=long_ago)
    OutboxMessage.objects.filter(pk=given_up.pk).update(status=OutboxStatus.GIVEN_UP, handled_at=long_ago)
    counts = job_drain_outbox(now=timezone.now())
    assert counts == {"done": 1, "failed": 0, "given_up": 0, "purged": 1}
    assert {row.pk: row.status for row in rows()} == {given_up.pk: "given_up", recent.pk: "done"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_drains_handle_each_row_exactly_once():
    handled: list[int] = []
    by_drainer: dict[str, int] = {}
    lock = threading.Lock()

    def slow_handler(message):
        time.sleep(0.003)  # long enough for the other drain to meet the locked row
        with lock:
            handled.append(message.pk)

    outbox.register_handler(TOPIC, slow_handler, retry=RETRY)
    ids = [row.pk for row in pending_rows(120)]
    start = threading.Barrier(2)

    def drainer(name):
        try:
            start.wait()
            by_drainer[name] = outbox_drain()["done"]
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=drainer, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        outbox.unregister_handler(TOPIC)
    assert sorted(handled) == sorted(ids)  # every row once: none twice, none lost
    assert by_drainer["a"] + by_drainer["b"] == 120 and min(by_drainer.values()) > 0  # both took a share
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
