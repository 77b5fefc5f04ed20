"""Running the automation jobs and recording each run for Settings → Automation (SPEC §10)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable

from django.utils import timezone

from .models import JobRun
from .registry import JOBS, RUN_NOW

log = logging.getLogger(__name__)

MANUAL = "manual"  # JobRun.trigger of a staff member's Run now (tasks.run_job_task)


def run_recorded(name: str, job: Callable[[], dict], *, trigger: str) -> JobRun:
    """Run a job and keep its run: start, duration, counts, or the error (the job's failure is
    recorded, not raised, so one failing job never stops the others)."""
    run = JobRun.objects.create(name=name, trigger=trigger, started_at=timezone.now())
    started = time.monotonic()
    try:
        run.counts = job() or {}
    except Exception as error:
        log.exception("job %s failed", name)
        run.error = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"[:5000]
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["counts", "error", "finished_at", "duration_ms"])
    return run


def automation_pass(*, now: dt.datetime | None = None, trigger: str = "command", only: str | None = None) -> dict:
    """Run every due job once, in order, each recorded for Settings → Automation. A staff member's
    Run now (trigger "manual") runs the job's RUN_NOW form where it has one."""
    now = now or timezone.now()
    results = {}
    for name, job in JOBS.items():
        if only and name != only:
            continue
        if trigger == MANUAL:
            job = RUN_NOW.get(name, job)
        run = run_recorded(name, lambda job=job: job(now=now), trigger=trigger)
        results[name] = run.counts if not run.error else {"error": run.error.splitlines()[0]}
    return results

