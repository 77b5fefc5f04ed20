"""What the benchmarks that drain a queue to a local server share (bench/email_sending.py,
bench/webhooks.py): their own PostgreSQL database, Django set up on it and migrated, and a server
process on a free loopback port that reports what it received through a queue."""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
from collections.abc import Callable
from urllib.parse import urlparse


def ensure_database(url: str) -> None:
    """Create the database the URL names, unless it exists (on the shared server: drop it after)."""
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        name = parts.path.lstrip("/")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def migrated(url: str) -> None:
    """The database exists, Django runs on it, and its tables are migrated."""
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_server(target: Callable[..., None]) -> tuple[int, mp.Queue, mp.Process]:
    """Run target(port, received, ready) in a process of its own on a free loopback port; answers
    the port, the queue it puts what it received on, and the process (terminate it when done)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received, ready = mp.Queue(), mp.Event()
    server = mp.Process(target=target, args=(port, received, ready), daemon=True)
    server.start()
    ready.wait(10)
    return port, received, server


def report(measure: str, value: float, unit: str, *, target: str = "", anchor: str = "",
           anchor_value: float | None = None) -> None:
    """Hand one figure to `bench/all.py`'s summary (when it runs this script): what was measured,
    its value and unit, the target it is held to, and the anchor measured in the same run — what
    the machine itself does for the same work (pgbench, a raw SQL page, a set-based INSERT) — so a
    slow machine shows as a slow anchor, not as a lost target."""
    import json

    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(json.dumps({"measure": measure, "value": value, "unit": unit, "target": target,
                                  "anchor": anchor, "anchor_value": anchor_value}) + "\n")


_CPU_WORK = [{"id": i, "name": f"client {i}", "tags": [1, 2, 3], "note": "abc" * 10} for i in range(300)]


def cpu_anchor() -> None:
    """A fixed piece of pure Python work (about 2 ms on the machine of docs/benchmarks.md): timed
    between a benchmark's requests, it shows how fast the CPU was at those moments. This kind of
    machine runs the same work at two speeds, about 1.8× apart, from one few seconds to the next."""
    import json

    for _ in range(3):
        json.loads(json.dumps(_CPU_WORK))
        sorted(str(item) for item in _CPU_WORK)


def cpu_anchor_ms(samples: int = 15) -> float:
    """The median time of cpu_anchor in ms over `samples` runs a twentieth of a second apart: taken
    before and after a benchmark that runs in a child process, where it cannot be timed between."""
    import statistics
    import time

    times = []
    for _ in range(samples):
        started = time.perf_counter()
        cpu_anchor()
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    return statistics.median(times)
