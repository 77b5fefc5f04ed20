"""PDF rendering time of an invoice (SPEC §12: under 50 ms each).

    .venv/bin/python bench/pdf.py [--repeat 100]

Renders the PDF of a two-line, taxed document with clientpanel.invoicing.pdf.document_pdf on an
SQLite database of its own under var/ and prints the median and p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-pdf.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    (ROOT / "var" / "bench-pdf.sqlite3").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from clientpanel.clients.services import client_create
    from clientpanel.invoicing.pdf import document_pdf
    from clientpanel.invoicing.services import proforma_issue
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import tax_rule_save

    call_command("migrate", verbosity=0)
    tax_rule_save(actor=None, company_id=default_home_company().pk, data={"tax1_name": "VAT", "tax1_rate": "23"})
    client = client_create(actor=None, data={"email": "pdf@example.com", "firstname": "Zażółć", "lastname": "Gęślą",
                                             "company_name": "Jaźń sp. z o.o.", "billing_address": {"country": "PL"}})
    document = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "VPS Medium, 2025-09", "quantity": "1", "unit_price": "20.00"},
        {"description": None, "quantity": "1", "unit_price": "150.00", "is_topup": True}])
    document_pdf(document)  # fonts are registered once per process
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        document_pdf(document)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(f"\n| PDF renders | median ms | p95 ms |\n|---:|---:|---:|\n| {args.repeat} | "
          f"{statistics.median(samples):.1f} | {samples[int(len(samples) * 0.95) - 1]:.1f} |")


if __name__ == "__main__":
    main()
