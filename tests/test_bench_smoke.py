"""Benchmarks must not rot: every bench/ script runs here at a tiny size, on databases of its own
that are dropped afterwards (the PostgreSQL server is shared). `make bench-…` runs them at full size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"

pytestmark = pytest.mark.postgres

RUNS = {  # script: (database variable or None, tiny arguments, what its output must contain)
    "directory.py": ("BENCH_DATABASE_URL", ["--clients", "1500", "--repeat", "2"], "|"),
    "ledger.py": ("BENCH_LEDGER_DATABASE_URL", ["--writers", "2", "--seconds", "1"], "posts/s"),
    "numbering.py": ("BENCH_NUMBERING_DATABASE_URL", ["--writers", "2", "--seconds", "1"], "documents/s"),
    "billing.py": ("BENCH_BILLING_DATABASE_URL", ["--services", "60", "--per-client", "3"], "|"),
    "pdf.py": (None, ["--repeat", "2"], "PDF renders"),
    "einvoice.py": (None, ["--documents", "40", "--made", "3"], "| KSeF FA(3), 2 lines | 3 |"),
    "api_load.py": ("BENCH_API_DATABASE_URL", ["--clients", "1500", "--rates", "10", "--seconds", "2"],
                    "Highest rate"),
    "email_sending.py": ("BENCH_EMAIL_DATABASE_URL", ["--messages", "200"], "| 2 |"),
    "import.py": ("BENCH_IMPORT_DATABASE_URL", ["--clients", "300", "--small", "100"], "rows written: (400, 400"),
    "webhooks.py": ("BENCH_WEBHOOKS_DATABASE_URL", ["--messages", "200", "--clients", "20"], "| 2 |"),
    "dashboard.py": ("BENCH_DASHBOARD_DATABASE_URL", ["--clients", "1500", "--repeat", "2"],
                     "| dashboard, administrator"),
}


# How many headline figures each script hands to bench/all.py's summary (harness.report).
REPORTS = {"directory.py": 2, "ledger.py": 2, "numbering.py": 2, "billing.py": 2}


@pytest.mark.parametrize("script", RUNS)
def test_benchmark_runs_at_a_tiny_size(script, tmp_path):
    variable, arguments, expected = RUNS[script]
    name = f"clientpanel_smoke_{script.removesuffix('.py')}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")}
    summary = tmp_path / "summary.jsonl"
    env["BENCH_SUMMARY"] = str(summary)
    if variable:
        env[variable] = f"{SERVER}/{name}"
    try:
        result = subprocess.run([sys.executable, f"bench/{script}", *arguments], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert expected in result.stdout, result.stdout[-3000:]
        figures = [json.loads(line) for line in summary.read_text().splitlines()] if summary.exists() else []
        assert len(figures) == REPORTS.get(script, 0)
        assert all(f["value"] > 0 and (f["target"] or f["anchor"]) for f in figures), figures
    finally:
        if variable:
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_make_bench_prints_one_summary_table():
    result = subprocess.run([sys.executable, "bench/all.py", "--only", "pdf.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "== bench/pdf.py" in result.stdout and "PDF renders" in result.stdout
    assert "| measure | figure | target | anchor, same run | figure ÷ anchor |" in result.stdout
    refused = subprocess.run([sys.executable, "bench/all.py", "--only", "nothing.py"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode != 0 and "no such benchmark: nothing.py" in refused.stderr
