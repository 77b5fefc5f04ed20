"""The API under load (issue 9, SPEC §12): gunicorn on PostgreSQL holding 100,000 clients, and an
open-loop load generator on loopback sending at fixed rates.

    make bench-api      (or: .venv/bin/python bench/api_load.py [--clients 100000] [--rates 50,100,200]
                         [--seconds 60] [--web-workers 2] [--web-threads 4] [--reload])

Loads the clients with COPY (bench/directory.py's loader) into a database of its own
(BENCH_API_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clientpanel_bench_api; kept
between runs), gives 200 of them a ledger of 25 entries, starts gunicorn exactly as production does
(config/gunicorn.conf.py, DEBUG off, psycopg's pool), then for each rate sends requests on a fixed
schedule for the given time — list, search, detail and transactions list, in turn — from a pool of
keep-alive connections. Open loop: each request has its planned send time and its latency counts
from that moment, so a slow server cannot slow the generator down and hide its own queueing
(coordinated omission). Prints, per rate: requests, achieved rate, p50/p95/p99 in ms, errors
(5xx, non-200 or no answer); then the highest rate whose p99 stayed under 100 ms.

On a 2-core machine the server, PostgreSQL and this generator share the CPU: record the curve.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = os.environ.get("BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientpanel_bench_api")
os.environ["BENCH_DATABASE_URL"] = BENCH_URL  # the directory benchmark's loader fills this database
sys.path.insert(0, str(ROOT / "bench"))

import directory  # noqa: E402 — sets DATABASE_URL and the settings module for the loader

TARGET_P99_MS = 100.0


def prepare(count: int, reload: bool) -> tuple[str, list[str], list[str]]:
    """The data, a staff member's API token, some client ids, and clients with a ledger."""
    directory.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from clientpanel.accounts.services import api_token_create, staff_create
    from clientpanel.clients.models import Client
    from clientpanel.ledger.models import EntryType, LedgerEntry
    from clientpanel.ledger.services import entries_post_for_clients

    call_command("migrate", verbosity=0)
    if reload or Client.objects.count() != count:
        directory.load(count)
    from clientpanel.accounts.models import User

    staff = User.objects.filter(email="bench-api@example.com").first() or staff_create(
        email="bench-api@example.com", password="bench-api-password-2026", firstname="Bench", lastname="Api",
        roles=["Administrator"])
    _, token = api_token_create(user=staff, name="bench/api_load.py")
    ids = [str(pk) for pk in Client.objects.order_by("?").values_list("pk", flat=True)[:2000]]
    with_ledger = ids[:200]
    if not LedgerEntry.objects.filter(client_id=with_ledger[0]).exists():
        with transaction.atomic():
            entries_post_for_clients(entries_by_client={client_id: [
                {"type": EntryType.ADJUSTMENT, "net": Decimal("1.2500") * (n % 5 + 1),
                 "description": f"Bench entry {n}"} for n in range(25)] for client_id in map(uuid.UUID, with_ledger)})
    return token, ids, with_ledger


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(web_workers: int, web_threads: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": BENCH_URL, "DEBUG": "0",
            "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": str(web_workers), "WEB_THREADS": str(web_threads),
            "WEB_ACCESS_LOG": "/dev/null", "DB_POOL_MAX_SIZE": str(web_threads)}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start: " + (server.stderr.read().decode() if server.stderr else ""))


def request_paths(ids: list[str], with_ledger: list[str], rng: random.Random):
    words = [directory.COMMON_WORD, directory.RARE_COMPANY, "nowak", "berlin", "systems", "0004"]
    kinds = ["list", "search", "detail", "transactions"]
    n = 0
    while True:
        kind = kinds[n % 4]
        n += 1
        if kind == "list":
            yield kind, f"/api/v1/clients?page_size=50&sort={rng.choice(['number', '-created_at', 'display_name'])}"
        elif kind == "search":
            yield kind, f"/api/v1/clients?search={rng.choice(words)}&page_size=50"
        elif kind == "detail":
            yield kind, f"/api/v1/clients/{rng.choice(ids)}"
        else:
            yield kind, f"/api/v1/clients/{rng.choice(with_ledger)}/transactions?page_size=50"


def run_rate(port: int, token: str, paths, rate: float, seconds: float, connections: int = 48) -> list[tuple]:
    """Send `rate` requests per second for `seconds`, each at its planned moment; answer
    (kind, latency ms from the planned moment, status or None)."""
    planned: queue.Queue = queue.Queue()
    results: list[tuple] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            item = planned.get()
            if item is None:
                conn.close()
                return
            at, kind, path = item
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = None
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            latency = (time.perf_counter() - at) * 1000
            with lock:
                results.append((kind, latency, status))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    for i in range(total):
        at = start + i / rate
        while at - time.perf_counter() > 0.05:  # hand work out just ahead of time
            time.sleep(0.01)
        kind, path = next(paths)
        planned.put((at, kind, path))
    for _ in threads:
        planned.put(None)
    for t in threads:
        t.join(timeout=30)
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--rates", default="50,100,200")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    token, ids, with_ledger = prepare(args.clients, args.reload)
    server, port = start_server(args.web_workers, args.web_threads)
    rng = random.Random(11)
    paths = request_paths(ids, with_ledger, rng)
    try:
        run_rate(port, token, paths, rate=20, seconds=5)  # warm-up: workers, pools, caches
        rows, best = [], None
        for rate in [float(r) for r in args.rates.split(",")]:
            results = run_rate(port, token, paths, rate=rate, seconds=args.seconds)
            latencies = [r[1] for r in results]
            errors = sum(1 for r in results if r[2] != 200)
            p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
            by_kind = {kind: statistics.median([r[1] for r in results if r[0] == kind])
                       for kind in ("list", "search", "detail", "transactions")}
            rows.append((rate, len(results), len(results) / args.seconds, p50, p95, p99, errors, by_kind))
            print(f"  {rate:.0f}/s: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, {errors} errors", flush=True)
            if p99 < TARGET_P99_MS and errors == 0:
                best = rate
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nAPI load, {args.clients:,} clients, gunicorn {args.web_workers} workers × {args.web_threads} threads, "
          f"{args.seconds:.0f} s per rate\n")
    print("| rate (req/s) | requests | achieved/s | p50 ms | p95 ms | p99 ms | errors | median ms: list / search / "
          "detail / transactions |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for rate, n, achieved, p50, p95, p99, errors, kinds in rows:
        medians = " / ".join(f"{kinds[k]:.1f}" for k in ("list", "search", "detail", "transactions"))
        print(f"| {rate:.0f} | {n} | {achieved:.1f} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {errors} | {medians} |")
    print(f"\nHighest rate with p99 < {TARGET_P99_MS:.0f} ms and no errors: "
          f"{f'{best:.0f} requests/s' if best else 'none of those measured'}")


if __name__ == "__main__":
    main()
