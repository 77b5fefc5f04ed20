"""Reads of automation's own records: how the scheduled jobs have been doing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from .models import JobRun
from .registry import JOBS


@dataclass(frozen=True)
class JobHealth:
    name: str
    last_started: dt.datetime | None
    runs: int  # in the last 24 hours
    failures: int  # in the last 24 hours
    last_error: str


def job_health(*, now: dt.datetime) -> list[JobHealth]:
    """For the dashboard (staff with Settings): each registered job's last start, its runs and
    failures in the last 24 hours and the latest failure's error — two queries, and one more (by
    job_run_name_idx) per job that has not run in the last 24 hours."""
    day = now - dt.timedelta(hours=24)
    recent = {row["name"]: row for row in JobRun.objects.filter(started_at__gte=day).values("name").annotate(
        runs=Count("id"), failures=Count("id", filter=~Q(error="")), last=Max("started_at")).order_by()}
    last_any = {name: row["last"] for name, row in recent.items()}
    for name in JOBS:
        if name not in last_any:
            last_any[name] = (JobRun.objects.filter(name=name).order_by("-started_at")
                              .values_list("started_at", flat=True).first())
    errors: dict[str, str] = {}
    for name, error in (JobRun.objects.filter(started_at__gte=day).exclude(error="")
                        .order_by("-started_at").values_list("name", "error")[:50]):
        errors.setdefault(name, error)
    return [JobHealth(name, last_any.get(name), recent.get(name, {}).get("runs", 0),
                      recent.get(name, {}).get("failures", 0), errors.get(name, "")) for name in JOBS]
