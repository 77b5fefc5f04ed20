"""Long work a person starts and watches: an import, a bulk action. The request writes a
BackgroundTask row and queues it; a Huey worker runs the kind's function, which reports its
progress as it goes; the page polls that progress and shows the result when the task ends.

- A kind is a plain function of its domain, `function(*, progress, **arguments) -> dict`, listed in
  automation/registry.py's BACKGROUND (the domains never import this module). Its arguments are
  JSON, kept on the row; its answer, JSON too, becomes the row's result. A DomainError it raises is
  the task's error as the person reads it; any other exception fails the task with a generic
  message (and the traceback in the log).
- Progress lives in Huey's key-value storage (Redis in production, its own SQLite file in the
  embedded default), not in the task's row: the work usually runs in one transaction (an import
  writes all or nothing), and a row updated inside it would stay invisible until the end.
- No state without a way out: a task whose worker died (no progress for STALLED_AFTER) is marked
  failed by the "fail_stalled_tasks" job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY
from redis.exceptions import RedisError

from clientpanel.accounts.models import User
from clientpanel.core.errors import DomainError

from .models import BackgroundTask, BackgroundTaskStatus

log = logging.getLogger(__name__)

STALLED_AFTER = dt.timedelta(minutes=15)
REPORT_EVERY = 0.25  # seconds between two writes of the progress of one task


class Progress:
    """Handed to a kind's function: `progress(done, total)` as often as it likes; it is written
    at most every REPORT_EVERY seconds (and the last figures when the task ends)."""

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        self.done = 0
        self.total: int | None = None
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = max(int(done), 0)
        if total is not None:
            self.total = max(int(total), 0)
        now = time.monotonic()
        if now - self._written_at >= REPORT_EVERY:
            self._written_at = now
            HUEY.put(_progress_key(self.task_id), (self.done, self.total, time.time()))


def _progress_key(task_id: int) -> str:
    return f"clientpanel.background-task.{task_id}"


def background_task_start(kind: str, *, requested_by: User | None, arguments: dict) -> BackgroundTask:
    """Write the task and queue it once the caller's transaction commits (at once outside one)."""
    from .registry import BACKGROUND

    if kind not in BACKGROUND:
        raise ValueError(f"no background task kind {kind!r}")
    task = BackgroundTask.objects.create(kind=kind, requested_by=requested_by, arguments=arguments,
                                         created_at=timezone.now())
    # Robust: the task row has committed; a queue that is down must not turn the request into an
    # error (fail_stalled_tasks tells the requester it never started).
    transaction.on_commit(lambda: _queue(task.pk), robust=True)
    return task


def _queue(task_id: int) -> None:
    from .tasks import run_background_task  # tasks.py imports this module

    run_background_task(task_id)


def background_task_run(task_id: int) -> None:
    """Run a queued task once (a message delivered twice finds it claimed and does nothing)."""
    from .registry import BACKGROUND

    claimed = BackgroundTask.objects.filter(pk=task_id, status=BackgroundTaskStatus.QUEUED).update(
        status=BackgroundTaskStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    task = BackgroundTask.objects.get(pk=task_id)
    progress = Progress(task_id)
    HUEY.put(_progress_key(task_id), (0, None, time.time()))
    result: dict = {}
    error = ""
    try:
        result = BACKGROUND[task.kind](progress=progress, **task.arguments) or {}
        status = BackgroundTaskStatus.SUCCEEDED
    except DomainError as failure:
        status, error = BackgroundTaskStatus.FAILED, failure.message
    except Exception:
        log.exception("background task %s #%s failed", task.kind, task_id)
        status, error = BackgroundTaskStatus.FAILED, _("The task stopped on an unexpected error; "
                                                       "nothing of it was kept unless its result says so.")
    ended = BackgroundTask.objects.filter(pk=task_id, status=BackgroundTaskStatus.RUNNING).update(
        status=status, result=result, error=error, finished_at=timezone.now(),
        done=progress.done, total=progress.total)
    if not ended:
        # The stalled-task job failed it meanwhile and the person was told to run it again: the
        # row keeps saying so (what this run did is in the log and the audit trail).
        log.warning("background task %s #%s ended (%s) after it was marked stalled", task.kind, task_id, status)
    HUEY.get(_progress_key(task_id))  # read without peeking: removed


@dataclasses.dataclass(frozen=True)
class TaskState:
    status: str
    done: int
    total: int | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (BackgroundTaskStatus.SUCCEEDED, BackgroundTaskStatus.FAILED)


def background_task_state(task: BackgroundTask) -> TaskState:
    """Where the task is: its row once it has ended, its last reported progress while it runs — or
    the row's figures while that progress cannot be read (Redis down: the page and the API keep
    answering, and show the end once the row has it)."""
    if task.status == BackgroundTaskStatus.RUNNING:
        try:
            reported = HUEY.get(_progress_key(task.pk), peek=True)
        except RedisError as error:
            log.warning("background task #%s: its progress could not be read: %s: %s", task.pk,
                        type(error).__name__, error)
            reported = None
        if reported:
            done, total, _at = reported
            return TaskState(status=task.status, done=done, total=total)
    return TaskState(status=task.status, done=task.done, total=task.total)


def job_fail_stalled_tasks(*, now: dt.datetime) -> dict:
    """Background tasks whose worker stopped (a restart, a crash) are marked failed, so no page
    waits for them for ever: running with no progress for 15 minutes, or queued for a day."""
    from .registry import ON_STALLED

    failed = 0
    message = _("The task stopped without finishing (its worker was restarted); run it again.")
    stalled = [task for task in BackgroundTask.objects.filter(status=BackgroundTaskStatus.RUNNING,
                                                              started_at__lt=now - STALLED_AFTER)
               if not _reported_since(task, now - STALLED_AFTER)]
    stalled += BackgroundTask.objects.filter(status=BackgroundTaskStatus.QUEUED,
                                             created_at__lt=now - dt.timedelta(days=1))
    for task in stalled:
        if BackgroundTask.objects.filter(pk=task.pk, status=task.status).update(
                status=BackgroundTaskStatus.FAILED, error=message, finished_at=now):
            failed += 1
            if task.kind in ON_STALLED:  # what the kind keeps of its own state is put right too
                ON_STALLED[task.kind](**task.arguments)
    return {"failed": failed}


def _reported_since(task: BackgroundTask, moment: dt.datetime) -> bool:
    reported = HUEY.get(_progress_key(task.pk), peek=True)
    return bool(reported) and reported[2] >= moment.timestamp()

