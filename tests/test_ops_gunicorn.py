"""gunicorn's configuration as an operator runs it (config/gunicorn.conf.py)."""

from __future__ import annotations

import signal
import subprocess
import time

from tests.test_production_server import GUNICORN, ROOT, _env, _free_port


def _serve(tmp_path, **extra: str) -> str:
    env = _env(WEB_BIND=f"127.0.0.1:{_free_port()}", WEB_WORKERS="1", WEB_THREADS="1", HOME=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra)
    env.pop("XDG_RUNTIME_DIR", None)
    server = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(5)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert "Listening at" in output, output
    return output


def test_no_control_socket_shared_by_every_instance_of_the_user(tmp_path):
    output = _serve(tmp_path)
    assert "Control socket" not in output
    assert not (tmp_path / ".gunicorn").exists()


def test_a_control_socket_where_the_operator_names_one(tmp_path):
    output = _serve(tmp_path, WEB_CONTROL_SOCKET=str(tmp_path / "web.ctl"))
    assert f"Control socket listening at {tmp_path / 'web.ctl'}" in output, output
