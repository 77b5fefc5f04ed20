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
