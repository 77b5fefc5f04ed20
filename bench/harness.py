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
