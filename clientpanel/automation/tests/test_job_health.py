"""Automation's health on the dashboard: each job's last run, runs and failures in 24 hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clientpanel.automation.models import JobRun
from clientpanel.automation.selectors import job_health

pytestmark = pytest.mark.django_db


def test_automation_health_shows_each_job_with_its_failures():
    from clientpanel.automation.registry import JOBS

    name = next(iter(JOBS))
    now = timezone.now()
    JobRun.objects.create(name=name, trigger="schedule", started_at=now - dt.timedelta(hours=2))
    JobRun.objects.create(name=name, trigger="schedule", started_at=now - dt.timedelta(hours=1), error="Boom")
    JobRun.objects.create(name=name, trigger="schedule", started_at=now - dt.timedelta(days=3), error="Old")
    jobs = {job.name: job for job in job_health(now=now)}
    assert set(jobs) == set(JOBS)
    assert (jobs[name].runs, jobs[name].failures, jobs[name].last_error) == (2, 1, "Boom")
    assert jobs[name].last_started == now - dt.timedelta(hours=1)
    other = next(n for n in JOBS if n != name)
    assert (jobs[other].runs, jobs[other].last_started) == (0, None)


