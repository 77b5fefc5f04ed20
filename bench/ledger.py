"""Ledger posting rate against pgbench on the same PostgreSQL, in the same run (SPEC §12).

    .venv/bin/python bench/ledger.py [--writers 8] [--seconds 15]

Runs `pgbench -b tpcb-like` (update a balance, insert a history row — the shape of a ledger post)
with N clients, then N worker processes posting through clientpanel.ledger.services.entry_post
for the same time: once with each writer on its own client (like pgbench's spread-out accounts)
and once with all writers on ONE client (every post waits for the client's row lock). Prints
both rates and their ratio; the target is ledger posts/s ≥ 0.5 × pgbench tps. With --outbox a
subscriber writes every posted entry to the outbox, as webhooks for ledger.entry_posted will.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from harness import report  # bench/harness.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_LEDGER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientpanel_bench_ledger")
PGBENCH_DB = "clientpanel_pgbench"


def _conn_args() -> list[str]:
    url = urlparse(BENCH_URL)
    return ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def ensure_databases() -> None:
    import psycopg

    url = urlparse(BENCH_URL)
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        for name in (url.path.lstrip("/"), PGBENCH_DB):
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')


def drop_pgbench_database() -> None:
    """pgbench's tables are only the yardstick: the shared server keeps nothing of them."""
    import psycopg

    url = urlparse(BENCH_URL)
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PGBENCH_DB}"')


def run_pgbench(writers: int, seconds: int) -> float:
    subprocess.run(["pgbench", "-q", "-i", "-s", str(max(writers, 8)), *_conn_args(), PGBENCH_DB], check=True,
                   capture_output=True)
    out = subprocess.run(["pgbench", "-b", "tpcb-like", "-c", str(writers), "-j", str(min(writers, 4)),
                          "-T", str(seconds), *_conn_args(), PGBENCH_DB], check=True, capture_output=True,
                         text=True).stdout
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1))


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _writer(client_id: str, seconds: float, start_at: float, counter, outbox: bool = False) -> None:
    _setup_django()
    if outbox:
        from huey.contrib.djhuey import HUEY

        from clientpanel.core.events import subscribe
        from clientpanel.core.outbox import writer
        from clientpanel.ledger.events import LedgerEntryPosted

        HUEY.immediate = False  # drains are queued (to Huey's memory here), as in production
        subscribe(LedgerEntryPosted, writer("bench"))
    from clientpanel.ledger.models import EntryType
    from clientpanel.ledger.services import entry_post

    posted = 0
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.time() < deadline:
        entry_post(client_id=client_id, type=EntryType.ADJUSTMENT, net=Decimal("0.0001"), description="bench")
        posted += 1
    with counter.get_lock():
        counter.value += posted


def run_ledger(client_ids: list[str], seconds: int, outbox: bool = False) -> float:
    counter = mp.Value("i", 0)
    start_at = time.time() + 3  # every process connected and warmed before the clock starts
    processes = [mp.Process(target=_writer, args=(cid, seconds, start_at, counter, outbox)) for cid in client_ids]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return counter.value / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--outbox", action="store_true", help="a subscriber writes each entry to the outbox")
    args = parser.parse_args()
    ensure_databases()
    _setup_django()
    from django.core.management import call_command

    from clientpanel.clients.services import client_create
    from clientpanel.ledger.selectors import ledger_breaches

    call_command("migrate", verbosity=0)
    stamp = int(time.time())
    clients = [str(client_create(actor=None, data={
        "email": f"bench-{stamp}-{i}@example.com", "firstname": "Bench", "lastname": str(i),
        "billing_address": {"country": "PL"}}).pk) for i in range(args.writers)]
    from django.db import connection

    connection.close()

    try:
        pgbench_tps = run_pgbench(args.writers, args.seconds)
    finally:
        drop_pgbench_database()
    spread = run_ledger(clients, args.seconds, args.outbox)
    one = run_ledger([clients[0]] * args.writers, args.seconds, args.outbox)
    breaches = ledger_breaches()
    from clientpanel.core.models import OutboxMessage

    outboxed, _ = OutboxMessage.objects.filter(topic="bench").delete()
    print(f"\nPostgreSQL at {BENCH_URL.split('@')[-1]} · {args.writers} concurrent writers · {args.seconds} s each"
          + (f" · every entry written to the outbox ({outboxed:,} rows)" if args.outbox else "") + "\n")
    print("| what | rate | ratio to pgbench |")
    print("|---|---:|---:|")
    print(f"| pgbench -b tpcb-like -c {args.writers} | {pgbench_tps:,.0f} tps | 1.00 |")
    print(f"| entry_post, {args.writers} writers on {args.writers} clients | {spread:,.0f} posts/s | "
          f"{spread / pgbench_tps:.2f} |")
    print(f"| entry_post, {args.writers} writers on one client | {one:,.0f} posts/s | {one / pgbench_tps:.2f} |")
    report(f"ledger posts, {args.writers} writers on {args.writers} clients", spread, "posts/s",
           target="≥ 1.0 × pgbench", anchor=f"pgbench tpcb-like -c {args.writers}, tps", anchor_value=pgbench_tps)
    report(f"ledger posts, {args.writers} writers on one client", one, "posts/s", target="≥ 0.6 × pgbench",
           anchor=f"pgbench tpcb-like -c {args.writers}, tps", anchor_value=pgbench_tps)
    print(f"\nverify_ledger after the run: {'clean' if not breaches else breaches[0]}")


if __name__ == "__main__":
    main()
