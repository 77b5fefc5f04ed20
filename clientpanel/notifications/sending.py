"""Delivering the queued e-mails (models.EmailMessage) through Django's mail backend.

Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED and sent while its row stays locked,
then marked in the same transaction: two consumers never send one message, and a message is marked
sent only once the server took it. (A crash between the server's "250 OK" and the commit sends it
again on the next attempt: delivery is at least once; each message carries a stable Message-ID.)
SQLite has no row locks: there, sends of one process take turns and one consumer is assumed.

Temporary failures — the server unreachable or timing out, a 4xx answer, an authentication
failure that staff can fix — are retried with exponential back-off for more than a day
(EMAIL_RETRY). A recipient or message refused with a 5xx answer is given up at once; it fails that
message only."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import threading
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.utils import timezone

from clientpanel.core.errors import DomainError
from clientpanel.core.outbox import RetryPolicy
from clientpanel.einvoices.selectors import einvoice_filename, einvoice_media_type, einvoice_of
from clientpanel.einvoices.storage import einvoice_content
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.storage import pdf_filename, stored_pdf

from .links import links_filled
from .models import EmailMessage, EmailStatus
from .rules import withheld_reason

log = logging.getLogger(__name__)

# 1 min, doubling to 2 h, then every 2 h: the 20th attempt comes about 29 h after the first.
EMAIL_RETRY = RetryPolicy(first_delay=dt.timedelta(minutes=1), max_delay=dt.timedelta(hours=2), max_attempts=20)
_sqlite_turns = threading.Lock()


class PermanentFailure(Exception):
    """The server refused this message or its recipient for good (5xx)."""


def is_permanent(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, PermanentFailure)


def describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
                         for rcpt, (code, message) in error.recipients.items())[:2000]
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {message}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _email_of(message: EmailMessage, mail_connection) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "clientpanel.local"
    links = message.links or {}
    email = EmailMultiAlternatives(
        subject=links_filled(message.subject, {}), body=links_filled(message.body_text, links),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient], connection=mail_connection,
        headers={"Message-ID": make_msgid(idstring=f"email-{message.pk}", domain=domain)})
    if message.body_html:
        email.attach_alternative(links_filled(message.body_html, links, html=True), "text/html")
    for reference in message.attachments:
        document = Document.objects.select_related("client").filter(pk=reference.get("document_id")).first()
        if document is None:
            raise PermanentFailure(f"The attached document {reference.get('document_id')} no longer exists.")
        email.attach(pdf_filename(document), stored_pdf(document), "application/pdf")
        # A client that asked for an e-invoice format gets the file in it with its PDF — an extra:
        # a file gone missing leaves it out (logged), never holds the PDF back.
        einvoice = einvoice_of(document) if document.client.einvoice_format else None
        if einvoice is not None and einvoice.sha256 and einvoice.format == document.client.einvoice_format:
            try:
                email.attach(einvoice_filename(einvoice, document), einvoice_content(einvoice),
                             einvoice_media_type(einvoice))
            except DomainError:
                log.exception("e-invoice of %s not attached to e-mail %s", document.number, message.pk)
    return email


def _claim(now: dt.datetime) -> EmailMessage | None:
    return (EmailMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=[EmailStatus.QUEUED, EmailStatus.FAILED], next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id").first())


def send_due_emails(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send up to `limit` messages due at `now` (queued, or failed and due for another attempt),
    over one connection to the mail server. Answers how many were sent, failed (to be retried) and
    given up, and — when there were any — how many were withheld (their client closed meanwhile)."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "given_up": 0}
    turns = contextlib.nullcontext() if connection.features.has_select_for_update_skip_locked else _sqlite_turns
    mail_connection = get_connection(fail_silently=False)
    with turns:
        try:
            for _ in range(limit):
                outcome = _send_next(now, mail_connection)
                if outcome is None:
                    break
                counts[outcome] = counts.get(outcome, 0) + 1  # "withheld" only when some were
        finally:
            with contextlib.suppress(Exception):
                mail_connection.close()
    return counts


def _send_next(now: dt.datetime, mail_connection) -> str | None:
    with transaction.atomic():
        message = _claim(now)
        if message is None:
            return None
        reason = withheld_reason(message)
        if reason is not None:
            # Queued before staff closed the client or removed its user: not sent now, and never (rules.py).
            message.status, message.last_error, message.links = EmailStatus.WITHHELD, reason, {}
            message.save(update_fields=["status", "last_error", "links"])
            return "withheld"
        message.attempts += 1
        try:
            email = _email_of(message, mail_connection)
            # Opened here, not by send(): a connection the backend opens itself is closed after
            # every message, and one held open serves the whole drain.
            mail_connection.open()
            email.send()
        except Exception as error:
            message.last_error = describe(error)
            if is_permanent(error) or message.attempts >= EMAIL_RETRY.max_attempts:
                message.status = EmailStatus.GIVEN_UP
            else:
                message.status = EmailStatus.FAILED
                message.next_attempt_at = now + EMAIL_RETRY.delay(message.attempts)
            log.warning("e-mail #%s to %s failed (attempt %s): %s", message.pk, message.recipient, message.attempts,
                        message.last_error)
            # A connection broken mid-conversation is opened afresh for the next message.
            with contextlib.suppress(Exception):
                mail_connection.close()
        else:
            message.status, message.sent_at, message.last_error = EmailStatus.SENT, timezone.now(), ""
        if message.status in (EmailStatus.SENT, EmailStatus.GIVEN_UP):
            message.links = {}  # a one-time link is kept only while the message may still be sent
        message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at", "links"])
        return {"sent": "sent", "failed": "failed", "given_up": "given_up"}[message.status]


def job_send_emails(*, now: dt.datetime) -> dict:
    """Send the e-mails due now; temporary failures are retried with back-off for more than a day."""
    return send_due_emails(now=now)
