"""`make run` as an operator runs it: a signal to make stops gunicorn AND the Huey consumer.

The recipe ran gunicorn in the foreground of make's shell with a trap for the consumer; a shell
defers its traps until the foreground command ends, so SIGTERM to make (a supervisor, `kill`) left
gunicorn serving and the consumer working after make had gone."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_production_server import ROOT, _env, _free_port, _get, _wait


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as children:
                kids = [int(k) for k in children.read().split()]
        except FileNotFoundError:
            kids = []
        found.update(kids)
        todo.extend(kids)
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_make_run_stops_gunicorn_and_the_consumer(tmp_path, sig):
    port = _free_port()
    env = _env(WEB_BIND=f"127.0.0.1:{port}", DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
               WEB_WORKERS="1", WEB_THREADS="2")
    env.pop("DJANGO_SETTINGS_MODULE")
    env.pop("CLIENTPANEL_BASE_URL", None)
    log = (tmp_path / "make.log").open("wb")  # a file, not a pipe nobody reads that could fill up
    make = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    children: set[int] = set()
    try:
        _wait(f"http://127.0.0.1:{port}/staff/login/", make, seconds=240)
        assert _get(f"http://127.0.0.1:{port}/staff/login/")[0] == 200
        time.sleep(1)  # the consumer is up as well
        children = _descendants(make.pid)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ") for pid in children
                    if os.path.exists(f"/proc/{pid}/cmdline")}
        assert any("run_huey" in c for c in commands.values()), commands
        assert any("gunicorn" in c for c in commands.values()), commands
        if sig == signal.SIGTERM:
            make.send_signal(sig)  # to make alone, as a supervisor or `kill` does
        else:
            os.killpg(make.pid, sig)  # Ctrl+C: the terminal's whole foreground group
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("make did not end: " + (tmp_path / "make.log").read_text()[-3000:]) from None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        left = {pid: commands.get(pid, "?") for pid in children if _alive(pid)}
        assert left == {}, f"still running after make ended: {left}"
    finally:
        for pid in children | _descendants(make.pid) | {make.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        make.wait(timeout=10)
        log.close()
