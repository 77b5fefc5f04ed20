"""Work a commit hands to a Huey worker, without queueing one task per commit.

The outbox's drain and e-mail sending both follow commits that wrote rows for them; a billing
run or a bulk e-mail makes thousands of such commits a second. A `CoalescedTask` is registered
once per transaction (`after_commit()`) and, after the commit, runs inline in Huey's immediate
mode (run_automation, tests) or queues its task — one at once after a quiet spell, then at most
one per window, delayed to the window's end, so a burst of commits queues two tasks, not one
per commit. A task queued earlier that has already started may miss the newest rows; the one
queued for the window's end takes them, and the every-minute schedule takes whatever is left.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from huey.contrib.djhuey import HUEY


class CoalescedTask:
    def __init__(self, *, inline: Callable[[], Any], task: Callable[[], Any], window: float = 1.0) -> None:
        """inline: what immediate mode runs; task: answers the Huey task to queue (looked up at
        each call: the tasks module usually imports the caller's)."""
        self.inline = inline
        self.task = task
        self.window = window
        self._lock = threading.Lock()
        self._queued_starts = 0.0  # time.time() after which the task this process queued last starts

    def after_commit(self) -> None:
        """Run soon() once after the current transaction commits, however often it is asked."""
        if not any(callback == self.soon for _, callback, _ in connection.run_on_commit):
            # Robust: the change has committed; a queue that is down must not turn it into an
            # error. The schedule picks the rows up.
            transaction.on_commit(self.soon, robust=True)

    def soon(self) -> None:
        if HUEY.immediate:
            self.inline()
            return
        now = time.time()
        with self._lock:
            if now < self._queued_starts:
                return  # the task queued last starts after this commit: it sees these rows
            # One queued just now may be running already and miss these rows: queue the next one.
            delay = self.window if now < self._queued_starts + self.window else 0.0
            self._queued_starts = now + delay
        task = self.task()
        if delay:
            task.schedule(delay=delay)
        else:
            task()
