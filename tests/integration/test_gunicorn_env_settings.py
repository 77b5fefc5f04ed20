"""The settings are checked at gunicorn's start with the environment gunicorn gives the workers:
its own `-e NAME=value` (`--env`, `raw_env`) and GUNICORN_CMD_ARGS included. Checked while the
config file loaded, before gunicorn applied them, a start that `-e` set right was refused, and one
that `-e` set wrong passed the check and failed in every worker with a traceback."""

from __future__ import annotations

import subprocess
import time

from tests.test_production_server import GUNICORN, ROOT, _env, _free_port, _get

BAD_URL = "CLIENTPANEL_BASE_URL=panel.example.com"
GOOD_URL = "CLIENTPANEL_BASE_URL=https://panel.example.com"
ONE_LINE = ("ImproperlyConfigured: CLIENTPANEL_BASE_URL='panel.example.com' is not an http:// or https:// address: "
            "use the public address, such as https://panel.example.com (docs/deploy.md).")


def _gunicorn_lines(printed: str) -> list[str]:
    """What was printed besides gunicorn's own "Starting gunicorn" line."""
    return [line for line in printed.strip().splitlines() if "[INFO] Starting gunicorn" not in line]


def _serves(*arguments: str, **extra: str) -> None:
    port = _free_port()
    env = _env(WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1", WEB_THREADS="1", **extra)
    process = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.conf.py", *arguments, "config.wsgi"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/static/backoffice/favicon.svg")[0]
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(process.communicate(timeout=30)[0] if process.poll() is not None else "no answer")
        assert status == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output and "ImproperlyConfigured" not in output, output


def _refused(*arguments: str, **extra: str) -> None:
    result = subprocess.run([GUNICORN, "-c", "config/gunicorn.conf.py", *arguments, "config.wsgi"], cwd=ROOT,
                            env=_env(WEB_BIND=f"127.0.0.1:{_free_port()}", WEB_WORKERS="1", **extra),
                            capture_output=True, text=True, timeout=120)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert _gunicorn_lines(printed) == [ONE_LINE], printed


def test_a_value_set_right_with_dash_e_starts():
    _serves("-e", GOOD_URL, CLIENTPANEL_BASE_URL="panel.example.com")


def test_a_value_set_right_in_gunicorn_cmd_args_starts():
    _serves(CLIENTPANEL_BASE_URL="panel.example.com", GUNICORN_CMD_ARGS=f"-e {GOOD_URL}")


def test_a_value_set_wrong_with_dash_e_stops_the_start_in_one_line():
    _refused("-e", BAD_URL, CLIENTPANEL_BASE_URL="https://panel.example.com")


def test_the_settings_module_given_with_dash_e_is_the_one_checked(tmp_path):
    result = subprocess.run([GUNICORN, "-c", "config/gunicorn.conf.py", "-e",
                             "DJANGO_SETTINGS_MODULE=config.settings.prod", "config.wsgi"], cwd=ROOT,
                            env=_env(WEB_BIND=f"127.0.0.1:{_free_port()}", WEB_WORKERS="1", SECRET_KEY="",
                                     DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert _gunicorn_lines(result.stdout + result.stderr) == ["ImproperlyConfigured: Set SECRET_KEY in the "
                                                               "environment."], result.stdout + result.stderr
