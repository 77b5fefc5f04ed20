"""Huey tasks of e-mail: sending what commits queued (the schedule's job is in automation)."""

from huey.contrib.djhuey import db_task

from .sending import send_due_emails


@db_task()
def send_emails_task() -> dict:
    """Queued after a commit that queued e-mails; consumers running it at once split the messages
    between them (SKIP LOCKED)."""
    return send_due_emails()
