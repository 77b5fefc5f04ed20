"""Huey tasks of the core: draining the outbox after a commit (core/outbox.py)."""

from huey.contrib.djhuey import db_task

from .outbox import outbox_drain


@db_task()
def outbox_drain_task() -> dict:
    """Queued after a commit that wrote outbox rows; several consumers draining at once split the
    rows between them (SKIP LOCKED). What one drain leaves, the next or the schedule takes."""
    return outbox_drain()
