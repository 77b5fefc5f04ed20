"""Writing e-mails: each one is rendered and queued (an EmailMessage row) inside the transaction
of its cause, and sent after that commits (sending.py). Nothing is queued for a change that rolls
back; nothing queued is lost."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from clientpanel.accounts.models import User
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_tax_decision

from .models import EmailMessage
from .rendering import message_language, render
from .sending import send_due_emails
from .tasks import send_emails_task


def base_url() -> str:
    return settings.CLIENTPANEL_BASE_URL.rstrip("/")


def client_context(client: Client, user: User) -> dict[str, object]:
    """The variables every message to a client's user has (kinds.COMMON_VARIABLES)."""
    return {"user_firstname": user.firstname or user.email, "user_email": user.email,
            "client_name": client.display_name, "client_number": client.number,
            "company_name": client_tax_decision(client).home_company.name}


def client_language(client: Client) -> str:
    """Client language → home company language → English."""
    return message_language(client.language, client_tax_decision(client).home_company.language)


def email_queue(*, key: str, user: User, client: Client | None, language: str, context: dict[str, object],
                attachments: Iterable[dict] = ()) -> EmailMessage:
    """Render the message for the user and queue it in the caller's transaction; it is sent once
    that commits. Refused outside a transaction (a message must stand or fall with its cause)."""
    if not connection.in_atomic_block:
        raise RuntimeError("e-mails are queued inside the transaction that causes them")
    rendered = render(key, language, context)
    now = timezone.now()
    message = EmailMessage.objects.create(
        created_at=now, next_attempt_at=now, template=key, language=language, recipient=user.email,
        client_id=client.pk if client else None, user=user, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html, attachments=list(attachments))
    if not any(callback is _send_soon for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_send_soon, robust=True)
    return message


def _send_soon() -> None:
    """After a commit that queued messages: send now in Huey's immediate mode (run_automation,
    tests), else hand it to a consumer; the schedule picks up whatever this misses."""
    if HUEY.immediate:
        send_due_emails()
    else:
        send_emails_task()
