"""Management commands an operator runs (docs/deploy.md): a bad argument is a one-line usage error,
not a traceback."""

from __future__ import annotations

import subprocess

from tests.test_production_server import PYTHON, ROOT, _env


def test_verify_ledger_names_a_client_id_that_is_not_one(tmp_path):
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'none.sqlite3'}")
    result = subprocess.run([PYTHON, "manage.py", "verify_ledger", "--client", "42"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "argument --client: invalid UUID value: '42'" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_demo_refuses_the_production_settings_before_writing_anything(tmp_path):
    from tests.test_ops_settings import PROD

    database = tmp_path / "prod.sqlite3"
    env = _env(DATABASE_URL=f"sqlite:///{database}", **PROD)
    result = subprocess.run([PYTHON, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    assert "does not run with the production settings" in result.stderr and "Traceback" not in result.stderr
    assert not database.exists() or database.stat().st_size == 0  # nothing written


def test_seed_demo_refuses_a_negative_number_of_clients(tmp_path):
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    result = subprocess.run([PYTHON, "manage.py", "seed_demo", "--clients", "-5"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "--clients must be 0 or more, not -5." in result.stderr, result.stderr
