"""Huey tasks: the automation pass every minute, and one job run now from Settings → Automation."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from .background import background_task_run
from .services import MANUAL, automation_pass


@db_periodic_task(crontab(minute="*"))
@lock_task("automation-pass")
def automation_pass_task() -> dict:
    """Every minute, on the one consumer that runs the schedule; the lock keeps passes from
    overlapping, and the jobs are idempotent anyway."""
    return automation_pass(trigger="schedule")


@db_task()
def run_job_task(name: str) -> dict:
    return automation_pass(trigger=MANUAL, only=name)


@db_task()
def run_background_task(task_id: int) -> None:
    """An import or a bulk action a person started (automation/background.py)."""
    background_task_run(task_id)
