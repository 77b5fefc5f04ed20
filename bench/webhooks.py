"""Webhook delivery rate: messages for one endpoint delivered from the outbox to a local receiver
by 1, then 2 consumers on PostgreSQL (issue 13).

    .venv/bin/python bench/webhooks.py [--messages 10000] [--clients 100] [--consumers 1 2]

Each run writes the messages as the subscribers do (WebhookMessage rows and their outbox rows, in
one transaction; the events cycle through --clients clients), starts the consumers together —
separate processes calling core.outbox.outbox_drain, as Huey workers do — and waits until nothing
is left. The receiver (its own process, http.server) verifies every signature with the
`standardwebhooks` library and records the webhook-id. Reported: messages/s, duplicates, lost,
bad signatures, and messages of one client received out of order (all must be 0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import migrated, setup_django, start_server  # noqa: E402 — bench/, beside this script

BENCH_URL = os.environ.get("BENCH_WEBHOOKS_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/clientpanel_bench_webhooks")
SECRET = "whsec_" + "QmVuY2htYXJrIHNlY3JldCBmb3Igd2ViaG9va3MhIQ=="


def _setup_django() -> None:
    setup_django(BENCH_URL)


def _receiver(port: int, received, ready) -> None:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    verifier = Webhook(SECRET)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["content-length"]))
            try:
                verifier.verify(raw, dict(self.headers.items()))
                verified = True
            except WebhookVerificationError:
                verified = False
            data = json.loads(raw)["data"]
            received.put((self.headers["webhook-id"], data["client"], data["n"], verified))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            """Silent: a line per request on stderr would drown the output."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.request_queue_size = 256
    ready.set()
    server.serve_forever()


def _consumer(start_at: float) -> None:
    _setup_django()
    from clientpanel.core.outbox import outbox_drain

    while time.time() < start_at:
        time.sleep(0.001)
    idle = 0
    while idle < 3:  # a drain may find rows waiting a moment for an earlier message of their client
        counts = outbox_drain(limit=500)
        if counts["done"] or counts["given_up"]:
            idle = 0
        else:
            idle += 1
            time.sleep(0.5 if counts["failed"] else 0.05)


def _write(count: int, clients: int, port: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from clientpanel.core import outbox
    from clientpanel.core.models import OutboxMessage
    from clientpanel.webhooks.models import WebhookEndpoint, WebhookMessage
    from clientpanel.webhooks.subscribers import body_of, message_id, messages_write

    outbox.drain_after_commit.inline = lambda: None  # the consumers drain, not this process after its commit

    WebhookEndpoint.objects.all().delete()
    OutboxMessage.objects.all().delete()
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{port}/hooks", secret=SECRET,
                                              created_at=now, updated_at=now)
    with transaction.atomic():
        for start in range(0, count, 2000):
            messages_write([
                WebhookMessage(public_id=message_id(), endpoint=endpoint, event="ledger.entry_posted",
                               body=body_of("ledger.entry_posted", {"client": f"client-{n % clients}", "n": n}, now),
                               ordering_key=f"client-{n % clients}", created_at=now)
                for n in range(start, min(start + 2000, count))])


def run(consumers: int, count: int, clients: int, port: int, received) -> dict:
    from django.db import connection

    from clientpanel.webhooks.models import MessageStatus, WebhookMessage

    _write(count, clients, port)
    connection.close()
    start_at = time.time() + 2  # every consumer started and connected before the clock starts
    processes = [mp.Process(target=_consumer, args=(start_at,)) for _ in range(consumers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    undelivered = WebhookMessage.objects.exclude(status=MessageStatus.DELIVERED).count()
    last = WebhookMessage.objects.order_by("-delivered_at").values_list("delivered_at", flat=True).first()
    connection.close()
    elapsed = (last.timestamp() if last else time.time()) - start_at
    rows = []
    while len(rows) < count - undelivered or not received.empty():
        try:
            rows.append(received.get(timeout=5))
        except Exception:
            break
    ids = [row[0] for row in rows]
    last_seen: dict[str, int] = {}
    out_of_order = 0
    for _id, client, n, _verified in rows:
        if last_seen.get(client, -1) > n:
            out_of_order += 1
        last_seen[client] = n
    return {"rate": count / elapsed, "duplicates": len(ids) - len(set(ids)),
            "lost": max(count - len(set(ids)), undelivered), "unverified": sum(1 for row in rows if not row[3]),
            "out_of_order": out_of_order}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--consumers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    migrated(BENCH_URL)
    port, received, server = start_server(_receiver)
    results = []
    try:
        for consumers in args.consumers:
            results.append((consumers, run(consumers, args.messages, args.clients, port, received)))
    finally:
        server.terminate()
    print(f"\nPostgreSQL at {BENCH_URL.split('@')[-1]} · {args.messages:,} messages for one endpoint, "
          f"{args.clients} clients · receiver on 127.0.0.1 verifying signatures\n")
    print("| consumers | messages/s | duplicates | lost | bad signatures | out of order |")
    print("|---:|---:|---:|---:|---:|---:|")
    for consumers, r in results:
        print(f"| {consumers} | {r['rate']:,.0f} | {r['duplicates']} | {r['lost']} | {r['unverified']} "
              f"| {r['out_of_order']} |")
    if any(r["duplicates"] or r["lost"] or r["unverified"] or r["out_of_order"] for _, r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
