"""Huey tasks of e-mail: sending what commits queued (the schedule's job is in automation), and the
reset link a "Forgot password" request asked for."""

from huey.contrib.djhuey import db_task

from .sending import send_due_emails


@db_task()
def send_emails_task() -> dict:
    """Queued after a commit that queued e-mails; consumers running it at once split the messages
    between them (SKIP LOCKED)."""
    return send_due_emails()


@db_task(retries=2, retry_delay=60)
def password_reset_task(email: str) -> None:
    """Queued by every "Forgot password" request the throttle lets through, whether the address has
    an account or not: the look-up and the message are the worker's (services.password_reset_send)."""
    from .services import password_reset_send  # services queues this task

    password_reset_send(email=email)
