"""The real serving path (issue 9): gunicorn and runserver with DEBUG off on a freshly migrated
database, static files through WhiteNoise without collectstatic, a Content-Security-Policy without
inline script, styled error pages, bounded database connections, and `check --deploy` clean."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    # A clean environment: nothing of the test run's own (its database, settings, the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE) reaches the server under test.
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return env | {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "0"} | extra


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.stdout.read().decode() if process.stdout else ''}")
        try:
            _get(url)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}")


@pytest.fixture(scope="module")
def fresh_database(tmp_path_factory) -> str:
    """A database made the way an integrator makes one: `manage.py migrate` on an empty file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'fresh.sqlite3'}"
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=_env(DATABASE_URL=url),
                   check=True, timeout=180)
    return url


@pytest.fixture(params=["gunicorn", "runserver"])
def server(request, fresh_database):
    port = _free_port()
    env = _env(DATABASE_URL=fresh_database, DB_CONN_MAX_AGE="30", WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="2")
    if request.param == "gunicorn":
        command = [GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"]
    else:
        command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/staff/login/", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_panel_is_served_with_debug_off_static_files_and_security_headers(server):
    status, headers, body = _get(server + "/staff/login/")
    assert status == 200 and b"Password" in body
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and headers["X-Content-Type-Options"] == "nosniff"
    assert "Secure" not in headers.get("Set-Cookie", "")  # secure cookies only behind HTTPS (prod settings)
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', body):
        assert _get(server + asset.decode())[0] == 200, asset  # no collectstatic needed


def test_an_unknown_page_is_a_styled_404_that_lists_no_routes(server):
    status, _headers, body = _get(server + "/staff/no-such-page/")
    assert status == 404 and b"Page not found" in body and b"Back to the panel" in body
    assert b"URLconf" not in body and b"backoffice:" not in body  # DEBUG's route list is never shown


def test_no_template_holds_inline_script_or_event_handlers():
    offenders = []
    for template in (ROOT / "clientpanel").rglob("templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\s*[\"']", text):
            offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_production_settings_pass_the_deployment_checks(tmp_path):
    secret = "k7Hq-long-random-production-secret-9fZ2-w1-aB3dE5gH7jK9mN"
    env = _env(DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=secret, ALLOWED_HOSTS="panel.example.com",
               DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    result = subprocess.run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_runs_migrate_on_the_embedded_database_without_a_warning(tmp_path):
    """`make run`'s first step on SQLite printed "WARNINGS: invoicing.Document: (models.W040) SQLite
    does not support indexes with non-key columns" — nothing a newcomer can or should act on."""
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr and "W040" not in result.stdout + result.stderr


def test_make_run_serves_and_prints_the_address_web_bind_names():
    """README: WEB_BIND picks another address when port 8000 is taken; make run printed :8000 anyway,
    and e-mails' links (CLIENTPANEL_BASE_URL) pointed there."""
    env = _env(WEB_BIND="127.0.0.1:8123")
    env.pop("CLIENTPANEL_BASE_URL", None)
    result = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "Serving http://127.0.0.1:8123/staff/" in result.stdout, result.stdout + result.stderr


def test_the_package_names_its_licence_as_an_spdx_expression():
    """A TOML table (`license = {text = …}`) made every `make run`'s install print setuptools'
    deprecation warning, twice."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "AGPL-3.0-or-later"


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = _env(DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY="",
               DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    result = subprocess.run([PYTHON, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("extra, expected", [
    ({}, {"pool_max": 4, "conn_max_age": 0}),
    ({"DB_POOL_MAX_SIZE": "7"}, {"pool_max": 7, "conn_max_age": 0}),
    ({"DB_CONN_MAX_AGE": "60"}, {"pool_max": None, "conn_max_age": 60}),
    ({"DB_POOL_MAX_SIZE": "0"}, {"pool_max": None, "conn_max_age": 0}),
])
def test_database_connections_are_bounded_by_a_pool_or_closed_after_each_request(extra, expected):
    code = ("from django.conf import settings; d = settings.DATABASES['default']; "
            "print((d.get('OPTIONS', {}).get('pool') or {}).get('max_size'), d['CONN_MAX_AGE'])")
    env = _env(DATABASE_URL="postgres://postgres@127.0.0.1:5432/clientpanel_settings_only", **extra)
    result = subprocess.run([PYTHON, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    pool_max, conn_max_age = result.stdout.split()
    assert (None if pool_max == "None" else int(pool_max), int(conn_max_age)) == (expected["pool_max"],
                                                                                   expected["conn_max_age"])
