"""gunicorn's access log keeps no one-time link token: the portal's set-password, reset and verify
links carry theirs in the path, and whoever reads the log could have used a link before its owner.
The request line and the Referer (a link page's own static files name it) both hide it."""

from __future__ import annotations

import contextlib
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.test_production_server import GUNICORN, PYTHON, ROOT, _env, _free_port, _wait

TOKEN = "d2s7qk-4f1e8b0c9a7d6e5f4a3b2c1d0e9f8a7b"


@pytest.fixture
def served(tmp_path):
    """A real gunicorn writing its access log to a file: its address, and a function that stops it
    and returns the log."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'log.sqlite3'}", WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1",
               WEB_ACCESS_LOG=str(log))
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    process = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop() -> str:
        process.terminate()
        process.wait(timeout=20)
        return log.read_text()

    try:
        _wait(f"http://127.0.0.1:{port}/staff/login/", process)
        yield f"http://127.0.0.1:{port}", stop
    finally:
        if process.poll() is None:
            stop()


def _open(url: str, **headers: str) -> None:
    with contextlib.suppress(urllib.error.HTTPError):  # what an unknown link answers is not the point here
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10).read()


def test_link_tokens_are_not_written_to_the_access_log(served):
    base, stop = served
    links = [f"/portal/{kind}/MTIz/{TOKEN}/" for kind in ("password/reset", "password/set", "verify")]
    for link in links:
        _open(base + link)
        _open(base + "/staff/login/", Referer=base + link)  # as the page's stylesheet is asked for
    _open(base + f"/portal/verify/MTIz/{TOKEN}/?next=/portal/")
    log = stop()
    assert TOKEN not in log
    for link in links:
        hidden = link.replace(TOKEN, "[token]")
        assert f'"GET {hidden} HTTP/1.1"' in log and f'"{base}{hidden}"' in log, log
    assert "/staff/login/" in log  # other paths are logged as they are
