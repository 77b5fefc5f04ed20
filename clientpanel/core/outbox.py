"""The transactional outbox: work to do after a change has committed (send an e-mail, deliver a
webhook), written as rows in the change's own transaction and handed to handlers after commit.

- Writing: an event subscriber (core/events.py) calls `outbox_add`, or is `writer(topic)` itself,
  so the rows commit or roll back with the change: nothing is ever sent for a change that did
  not happen, and nothing committed is lost.
- Handling: each topic has one handler (`register_handler`, from the owning app's
  AppConfig.ready()) taking an OutboxMessage. It returns when done; an exception fails the attempt
  (what the handler wrote is rolled back) and the row is tried again after an exponential
  back-off, until its RetryPolicy gives up; raising GiveUp gives up at once (a permanent SMTP
  error). A handler that keeps a record of its failures (the webhooks' delivery log) returns a
  `Later` instead of raising, and what it wrote stays: `Later(reason)` is a failed attempt with
  the back-off, `Later(reason, until=T)` waits until T without counting an attempt (an earlier
  message must go first), `Later(reason, give_up=True)` gives up (a 410 Gone).
- Draining: `outbox_drain` claims one row at a time with SELECT … FOR UPDATE SKIP LOCKED and
  handles it in that row's transaction (the handler's own writes in a savepoint), so two consumers
  never handle one row at the same time and a row is marked done together with what its handler
  wrote. A crash after a handler sent something but before the commit sends it again on the next
  attempt: delivery is at least once, so handlers pass a stable id (the row's) to receivers.
  SQLite has no row locks: there, drains of one process take turns and one consumer is assumed.
- When: a Huey task after each commit that wrote rows (at most one queued per process and second)
  and the "drain_outbox" automation job every minute (`run_automation --once [--at T]` too).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Sequence

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from .after_commit import CoalescedTask
from .events import Event, Subscriber
from .models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When a failed row is tried again: first_delay after the first failure, doubling each time
    up to max_delay; the attempt number max_attempts is the last. The default retries for about a
    day and a half (8.5 h of doubling from 30 s, then every 6 h)."""

    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(hours=6)
    max_attempts: int = 15

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the `attempts`-th failed attempt."""
        seconds = self.first_delay.total_seconds() * 2.0 ** min(max(attempts - 1, 0), 60)
        return min(dt.timedelta(seconds=seconds), self.max_delay)


class GiveUp(Exception):
    """Raised by a handler when trying again cannot help: the row is given up at once."""


@dataclasses.dataclass(frozen=True)
class Later:
    """Returned by a handler when the row is not done but what the handler wrote must stay: a
    failed attempt (retried after the policy's back-off, given up after its last attempt), a wait
    until `until` that counts no attempt, or, with give_up, the end of the row."""

    reason: str
    until: dt.datetime | None = None
    give_up: bool = False


@dataclasses.dataclass(frozen=True)
class Handler:
    topic: str
    function: Callable[[OutboxMessage], Later | None]
    retry: RetryPolicy


DEFAULT_RETRY = RetryPolicy()
KEEP_DONE = dt.timedelta(days=7)  # done rows are deleted after this; given-up rows stay
_handlers: dict[str, Handler] = {}


def register_handler(topic: str, function: Callable[[OutboxMessage], Later | None], *,
                     retry: RetryPolicy = DEFAULT_RETRY) -> None:
    """Make `function` the handler of the rows written for `topic` (one handler per topic)."""
    existing = _handlers.get(topic)
    if existing is not None and existing.function is not function:
        raise ValueError(f"the outbox topic {topic!r} has a handler already: {existing.function!r}")
    _handlers[topic] = Handler(topic=topic, function=function, retry=retry)


def unregister_handler(topic: str) -> None:
    _handlers.pop(topic, None)


# --- writing, inside the change's transaction ----------------------------------------------------

def outbox_add(*, topic: str, events: Sequence[Event]) -> int:
    """Write one pending row per event for `topic`'s handler — one INSERT — in the caller's
    transaction, and have the rows drained after it commits. Refused outside a transaction.
    Answers how many rows were written."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox rows are written inside the transaction that makes the change")
    if not events:
        return 0
    _insert(topic, events)
    # One drain per transaction, however many rows it wrote. (A callback registered inside a
    # savepoint that rolled back is gone from the list, and is registered again here.)
    drain_after_commit.after_commit()
    return len(events)


_COLUMNS = "topic, event, payload, status, attempts, next_attempt_at, last_error, created_at"


def _insert(topic: str, events: Sequence[Event]) -> None:
    """The rows in one INSERT (per thousand). A subscriber to ledger entries writes inside every
    post, holding the client's row lock, so on PostgreSQL this speaks SQL with a server-side
    prepared statement, as the ledger does: through the ORM's bulk_create the row cost more CPU
    than the post itself (docs/benchmarks.md)."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        OutboxMessage.objects.bulk_create([
            OutboxMessage(topic=topic, event=event.name, payload=event.payload(), next_attempt_at=now, created_at=now)
            for event in events], batch_size=1000)
        return
    connection.ensure_connection()
    for start in range(0, len(events), 1000):  # a statement takes at most 65,535 parameters
        chunk = events[start:start + 1000]
        values = ", ".join(["(%s, %s, %s, 'pending', 0, %s, '', %s)"] * len(chunk))
        params: list = []
        for event in chunk:
            params += [topic, event.name, Jsonb(event.payload()), now, now]
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            # Prepared for the usual single row only; batches vary in size.
            cursor.execute(f"INSERT INTO clientpanel_outbox ({_COLUMNS}) VALUES {values}",  # noqa: S608 — placeholders
                           params, prepare=len(chunk) == 1)


@functools.cache
def writer(topic: str) -> Subscriber:
    """The event subscriber that writes each event as a row for `topic`'s handler, e.g. in the
    webhooks app's ready(): `events.subscribe(DocumentIssued, outbox.writer("webhooks"))`."""

    def write(events: Sequence[Event]) -> None:
        outbox_add(topic=topic, events=events)

    write.__qualname__ = f"writer({topic!r})"
    return write


# --- after commit ----------------------------------------------------------------------------------

def _drain_task():
    from .tasks import outbox_drain_task  # tasks.py imports this module

    return outbox_drain_task


# After a commit that wrote rows: drain now in Huey's immediate mode, else queue a drain (at most
# one per second per process, core/after_commit.py).
drain_after_commit = CoalescedTask(inline=lambda: outbox_drain(), task=_drain_task)


# --- draining ----------------------------------------------------------------------------------------

_draining = threading.local()
_sqlite_turns = threading.Lock()


def outbox_drain(*, now: dt.datetime | None = None, limit: int = 1000) -> dict:
    """Hand up to `limit` due rows to their handlers, one row per transaction: failed rows whose
    next attempt is due at `now` first (each is tried once per drain: a failure moves it into the
    future), then new rows in the order they were written. Answers how many were done, failed
    (to be retried) and given up."""
    given_time, now = now, now or timezone.now()
    counts = {"done": 0, "failed": 0, "given_up": 0}
    if getattr(_draining, "active", False):
        return counts  # a commit inside a handler: the drain running in this thread goes on anyway
    turns = contextlib.nullcontext() if connection.features.has_select_for_update_skip_locked else _sqlite_turns
    _draining.active, _draining.now = True, given_time
    try:
        with turns:
            for _ in range(limit):
                outcome = _handle_next(now)
                if outcome is None:
                    break
                counts[outcome] += 1
    finally:
        _draining.active, _draining.now = False, None
    return counts


def drain_time() -> dt.datetime:
    """The time a drain was given (`run_automation --at T`), else now: handlers that record when
    they acted or measure how long something has been failing use it."""
    return getattr(_draining, "now", None) or timezone.now()


def _claim(now: dt.datetime) -> OutboxMessage | None:
    rows = OutboxMessage.objects.select_for_update(skip_locked=True)
    return (rows.filter(status=OutboxStatus.FAILED, next_attempt_at__lte=now).order_by("next_attempt_at", "id").first()
            or rows.filter(status=OutboxStatus.PENDING).order_by("id").first())


def _handle_next(now: dt.datetime) -> str | None:
    with transaction.atomic():
        message = _claim(now)
        if message is None:
            return None
        handler = _handlers.get(message.topic)
        message.attempts += 1
        outcome: Later | None = None
        try:
            if handler is None:
                raise LookupError(f"No handler is registered for the outbox topic {message.topic!r}.")
            with transaction.atomic():  # the handler's writes stand or fall with its success
                outcome = handler.function(message)
        except GiveUp as error:
            message.status, message.handled_at = OutboxStatus.GIVEN_UP, timezone.now()
            message.last_error = _describe(error)
        except Exception as error:
            log.warning("outbox %s #%s (%s) failed, attempt %s", message.topic, message.pk, message.event,
                        message.attempts, exc_info=True)
            retry = handler.retry if handler is not None else DEFAULT_RETRY
            message.last_error = _describe(error)
            if message.attempts >= retry.max_attempts:
                message.status, message.handled_at = OutboxStatus.GIVEN_UP, timezone.now()
            else:
                message.status, message.next_attempt_at = OutboxStatus.FAILED, now + retry.delay(message.attempts)
        else:
            if outcome is None:
                message.status, message.handled_at, message.last_error = OutboxStatus.DONE, timezone.now(), ""
            else:
                _apply_later(message, outcome, handler.retry, now)
        message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "handled_at"])
        return message.status


def _apply_later(message: OutboxMessage, later: Later, retry: RetryPolicy, now: dt.datetime) -> None:
    message.last_error = later.reason[:2000]
    if later.until is not None and not later.give_up:
        message.attempts -= 1  # a wait is no attempt
        message.status, message.next_attempt_at = OutboxStatus.FAILED, later.until
    elif later.give_up or message.attempts >= retry.max_attempts:
        message.status, message.handled_at = OutboxStatus.GIVEN_UP, timezone.now()
    else:
        message.status, message.next_attempt_at = OutboxStatus.FAILED, now + retry.delay(message.attempts)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def job_drain_outbox(*, now: dt.datetime) -> dict:
    """Hand the outbox's due messages (what e-mail and webhooks do after a change commits) to their
    handlers; a failure is retried with exponential back-off and given up after its handler's
    bound. Done messages are deleted after 7 days; given-up ones stay."""
    counts = outbox_drain(now=now)
    counts["purged"], _ = OutboxMessage.objects.filter(status=OutboxStatus.DONE,
                                                       handled_at__lt=now - KEEP_DONE).delete()
    return counts
