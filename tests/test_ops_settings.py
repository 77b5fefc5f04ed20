"""Bad settings stop the start with one line naming the variable, not a ValueError from deep inside
the settings or gunicorn's configuration (an operator's typo in /etc/clientpanel.env)."""

from __future__ import annotations

import subprocess

import pytest

from tests.test_production_server import GUNICORN, PYTHON, ROOT, _env

PROD = {"DJANGO_SETTINGS_MODULE": "config.settings.prod", "ALLOWED_HOSTS": "panel.example.com",
        "SECRET_KEY": "k7Hq-long-random-production-secret-9fZ2-w1-aB3dE5gH7jK9mN"}


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", **PROD) | extra
    return subprocess.run([PYTHON, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("extra, named", [
    ({"DB_POOL_MAX_SIZE": "four"}, "DB_POOL_MAX_SIZE='four' is not a whole number"),
    ({"EMAIL_PORT": "25/tcp"}, "EMAIL_PORT='25/tcp' is not a whole number"),
    ({"EMAIL_TIMEOUT": "20s"}, "EMAIL_TIMEOUT='20s' is not a positive number"),
    ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS='-1' may not be below 0"),
    # A switch mistyped was read as off (an HTTPS redirect among them), silently.
    ({"SECURE_SSL_REDIRECT": "ture"}, "SECURE_SSL_REDIRECT='ture' is not a switch: use true or false"),
    ({"CLIENTPANEL_PORTAL_SIGNUP": "maybe"}, "CLIENTPANEL_PORTAL_SIGNUP='maybe' is not a switch"),
])
def test_a_number_that_is_not_one_is_named(tmp_path, extra, named):
    result = _check(tmp_path, **extra)
    assert result.returncode != 0
    assert "ImproperlyConfigured: " + named in result.stderr, result.stderr
    assert "ValueError" not in result.stderr


def test_a_bad_database_url_is_named_without_its_password(tmp_path):
    result = _check(tmp_path, DATABASE_URL="postgress://clientpanel:s3cret-pw@db.internal/clientpanel")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL" in result.stderr, result.stderr
    assert "s3cret-pw" not in result.stderr


def test_the_example_env_files_placeholder_secret_is_refused(tmp_path):
    placeholder = next(line.split("=", 1)[1] for line in
                       (ROOT / "deploy/clientpanel.env.example").read_text().splitlines()
                       if line.startswith("SECRET_KEY="))
    result = _check(tmp_path, SECRET_KEY=placeholder)
    assert result.returncode != 0 and "placeholder" in result.stderr, result.stderr


@pytest.mark.parametrize("name, value", [("WEB_WORKERS", "abc"), ("WEB_THREADS", "0"), ("WEB_TIMEOUT", "60s")])
def test_gunicorn_names_a_bad_number(name, value):
    result = subprocess.run([GUNICORN, "-c", "config/gunicorn.conf.py", "--check-config", "config.wsgi"], cwd=ROOT,
                            env=_env(**{name: value}), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"{name}={value!r} is not a whole number" in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_production_without_a_database_address_does_not_start(tmp_path):
    """It ran on a SQLite file under var/: in a container, a database that went with the container."""
    result = _check(tmp_path, DATABASE_URL="")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set DATABASE_URL in the environment" in result.stderr, result.stderr
