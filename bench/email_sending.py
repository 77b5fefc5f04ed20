"""E-mail sending rate: queued messages drained to a local SMTP server (aiosmtpd) by 1, then 2
consumers on PostgreSQL, counting every message the server received (issue 11). Named so, not
email.py, which would stand in for the standard library's `email` in every script of this folder.

    .venv/bin/python bench/email_sending.py [--messages 10000] [--consumers 1 2]

Each run queues the messages (EmailMessage rows, as the subscribers write them), starts the
consumers together — separate processes calling notifications.sending.send_due_emails, as Huey
workers do — and waits until the queue is empty. It reports messages/s and checks the server's
Message-IDs: every message received once (0 duplicates), none missing (0 lost).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import migrated, setup_django, start_server  # noqa: E402 — bench/, beside this script

BENCH_URL = os.environ.get("BENCH_EMAIL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientpanel_bench_email")


def _setup_django(port: int | None = None) -> None:
    setup_django(BENCH_URL)
    from django.conf import settings

    if port is not None:  # a forked consumer inherits the parent's settings: point them at the server
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


class Counter:
    """The SMTP server's side: the Message-ID of every message it accepted."""

    def __init__(self, received) -> None:
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.received.put(line.split(b":", 1)[1].strip().decode())
                break
        return "250 Message accepted"


def _smtp_server(port: int, received, ready) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Counter(received), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _consumer(port: int, start_at: float) -> None:
    _setup_django(port)
    from clientpanel.notifications.sending import send_due_emails

    while time.time() < start_at:
        time.sleep(0.001)
    sent = True
    while sent:  # until a drain finds nothing left to send
        sent = send_due_emails(limit=500)["sent"]


def _queue(count: int) -> None:
    from django.utils import timezone

    from clientpanel.notifications.models import EmailMessage

    now = timezone.now()
    EmailMessage.objects.all().delete()
    EmailMessage.objects.bulk_create([
        EmailMessage(created_at=now, next_attempt_at=now, template="welcome", language="en",
                     recipient=f"bench-{n}@example.com", subject=f"Welcome {n}",
                     body_text=f"Hello {n},\n\nyour account is ready.\n", body_html=f"<p>Hello {n}</p>")
        for n in range(count)], batch_size=2000)


def run(consumers: int, count: int, port: int, received) -> tuple[float, int, int]:
    from django.db import connection

    from clientpanel.notifications.models import EmailMessage, EmailStatus

    _queue(count)
    connection.close()
    while not received.empty():
        received.get()
    start_at = time.time() + 2  # every consumer started and connected before the clock starts
    processes = [mp.Process(target=_consumer, args=(port, start_at)) for _ in range(consumers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.time() - start_at
    ids = []
    while not received.empty():
        ids.append(received.get())
    duplicates = len(ids) - len(set(ids))
    lost = count - len(set(ids))
    unsent = EmailMessage.objects.exclude(status=EmailStatus.SENT).count()
    connection.close()
    return count / elapsed, duplicates, max(lost, unsent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--consumers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    migrated(BENCH_URL)
    port, received, server = start_server(_smtp_server)
    rows = []
    try:
        for consumers in args.consumers:
            rows.append((consumers, *run(consumers, args.messages, port, received)))
    finally:
        server.terminate()
    print(f"\nPostgreSQL at {BENCH_URL.split('@')[-1]} · {args.messages:,} queued messages · aiosmtpd on 127.0.0.1\n")
    print("| consumers | messages/s | duplicates | lost |")
    print("|---:|---:|---:|---:|")
    for consumers, rate, duplicates, lost in rows:
        print(f"| {consumers} | {rate:,.0f} | {duplicates} | {lost} |")
    if any(duplicates or lost for _, _, duplicates, lost in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
