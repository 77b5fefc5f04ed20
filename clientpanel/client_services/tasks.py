"""Huey tasks: the same job functions `run_automation` calls."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from .services import automation_pass, service_provision


@db_task(retries=1, retry_delay=30)
def provision_service_task(service_id: str) -> str:
    return service_provision(service_id=service_id).status


@db_periodic_task(crontab(minute="*"))
@lock_task("automation-pass")
def automation_pass_task() -> dict:
    """Every minute, on the one consumer that runs the schedule; the lock keeps passes from
    overlapping, and the jobs are idempotent anyway."""
    return automation_pass(trigger="schedule")


@db_task()
def run_job_task(name: str) -> dict:
    return automation_pass(trigger="manual", only=name)


@db_task()
def charge_services_task(at_iso: str | None = None) -> dict:
    """The charge job on its own; several consumers running it at once split the due services."""
    import datetime as dt

    from django.utils import timezone

    from .services import job_charge_services

    now = dt.datetime.fromisoformat(at_iso) if at_iso else timezone.now()
    return job_charge_services(now=now)
