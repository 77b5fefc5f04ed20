"""Every benchmark at full size, one after another, then one table of the figures that have a
target, each beside its anchor measured in the same run (PostgreSQL required).

    .venv/bin/python bench/all.py [--only ledger.py billing.py ...]

Each script prints its own tables as it goes (copy those into docs/benchmarks.md) and hands its
headline figures to the summary through harness.report.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"all.py", "harness.py"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="run only these scripts (names in bench/)")
    args = parser.parse_args()
    scripts = sorted(p.name for p in HERE.glob("*.py") if p.name not in SKIP)
    if args.only:
        unknown = set(args.only) - set(scripts)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
        scripts = [s for s in scripts if s in args.only]
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as summary:
        path = summary.name
    failed = []
    try:
        for script in scripts:
            print(f"== bench/{script}", flush=True)
            result = subprocess.run([sys.executable, str(HERE / script)], env={**os.environ, "BENCH_SUMMARY": path})
            if result.returncode:
                failed.append(script)
        with open(path, encoding="utf-8") as lines:
            figures = [json.loads(line) for line in lines if line.strip()]
    finally:
        os.unlink(path)
    print("\n## Summary\n")
    print("| measure | figure | target | anchor, same run | figure ÷ anchor |")
    print("|---|---:|---|---|---:|")
    for f in figures:
        anchor = f"{f['anchor']}: {f['anchor_value']:,.1f}" if f["anchor_value"] is not None else "–"
        ratio = f"{f['value'] / f['anchor_value']:.2f}" if f["anchor_value"] else "–"
        print(f"| {f['measure']} | {f['value']:,.1f} {f['unit']} | {f['target'] or '–'} | {anchor} | {ratio} |")
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
