"""The documented consumer (`manage.py run_huey --workers 2 --no-periodic`, docs/deploy.md) on Redis
logs each line once: run_huey's own handler and the root's console both printed every line."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.test_production_server import PYTHON, ROOT, _env

REDIS_URL = "redis://127.0.0.1:6379/12"  # its own: 13, 14 and 15 are other tests' and the bench's


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_the_consumer_logs_each_line_once(tmp_path):
    env = _env(REDIS_URL=REDIS_URL, DATABASE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    consumer = subprocess.Popen([PYTHON, "manage.py", "run_huey", "--workers", "2", "--no-periodic"], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(6)
    finally:
        consumer.send_signal(signal.SIGINT)
        output = consumer.communicate(timeout=30)[0]
    started = [line for line in output.splitlines() if "Huey consumer started" in line]
    assert len(started) == 1, output
