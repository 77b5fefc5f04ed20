"""Document numbering under concurrency (SPEC §7, §12).

    .venv/bin/python bench/numbering.py [--writers 8] [--seconds 15]

N worker processes issue Add Funds proformas for N clients of ONE home company on PostgreSQL
(BENCH_NUMBERING_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clientpanel_bench_numbering)
for the given time, through clientpanel.invoicing.services.proforma_add_funds. Prints documents/s
and checks that the numbers issued are unique, gap-free and rise with the issue time.

Then the series alone: N processes run what an issuing transaction does while it holds the
series' counter row — take the number, write the document's row, commit — so the figure is how many
documents one series admits per second, whatever the rest of issuing (pricing, PDF, e-mail) costs
in CPU on this machine.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from harness import report  # bench/harness.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_NUMBERING_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/clientpanel_bench_numbering")


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _writer(client_id: str, seconds: float, start_at: float, counter) -> None:
    _setup_django()
    from huey.contrib.djhuey import HUEY

    from clientpanel.invoicing.services import proforma_add_funds

    HUEY.immediate = False  # the e-mails are queued (to Huey's memory here) and sent by workers, as in production

    issued = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < start_at + seconds:
        proforma_add_funds(actor=None, client_id=client_id, net_amount="10.00")
        issued += 1
    with counter.get_lock():
        counter.value += issued


def _series_writer(template_id: str, seconds: float, start_at: float, counter) -> None:
    _setup_django()
    import uuid

    from django.db import transaction

    from clientpanel.invoicing.models import Document
    from clientpanel.invoicing.services.numbering import document_number

    template = Document.objects.select_related("home_company").get(pk=template_id)
    company = template.home_company
    taken = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < start_at + seconds:
        with transaction.atomic():
            template.pk, template.finished = uuid.uuid4(), True
            template.number, template.issue_date = document_number(company=company, doc_type=template.type)
            template.due_date = template.issue_date
            template.save(force_insert=True)
        taken += 1
    with counter.get_lock():
        counter.value += taken


def _run(target, args_of, writers: int, seconds: int) -> int:
    counter = mp.Value("i", 0)
    start_at = time.time() + 3
    processes = [mp.Process(target=target, args=(*args_of(n), seconds, start_at, counter)) for n in range(writers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return counter.value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    import psycopg

    url = urlparse(BENCH_URL)
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        name = url.path.lstrip("/")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from clientpanel.clients.services import client_create
    from clientpanel.invoicing.models import Document
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import tax_rule_save

    call_command("migrate", verbosity=0)
    company = default_home_company()
    tax_rule_save(actor=None, company_id=company.pk, data={"tax1_name": "VAT", "tax1_rate": "23"})
    clients = [str(client_create(actor=None, data={"email": f"n{i}@example.com", "firstname": "N", "lastname": str(i),
                                                   "billing_address": {"country": "PL"}}).pk)
               for i in range(args.writers)]
    connection.close()
    issued = _run(_writer, lambda n: (clients[n],), args.writers, args.seconds)
    rows = list(Document.objects.order_by("issue_date").values_list("number", flat=True))
    template_id = str(Document.objects.values_list("pk", flat=True).first())
    connection.close()
    series = _run(_series_writer, lambda n: (template_id,), args.writers, args.seconds)
    every = list(Document.objects.order_by("issue_date").values_list("number", flat=True))
    print(f"\n{args.writers} writers, one home company, {args.seconds} s each on {BENCH_URL.split('@')[-1]}\n")
    print("| what | documents | documents/s | unique and gap-free | numbers rise with issue time |")
    print("|---|---:|---:|---|---|")
    for what, done, numbers in (("issuing (proforma_add_funds)", issued, rows),
                                ("the series alone (number, document row, commit)", series, every)):
        values = [int(n.rsplit("/", 1)[1]) for n in numbers]
        gap_free = sorted(values) == list(range(1, len(values) + 1))
        print(f"| {what} | {done:,} | {done / args.seconds:,.0f} | {'yes' if gap_free else 'NO'} | "
              f"{'yes' if values == sorted(values) else 'NO'} |")
    report(f"one series, {args.writers} writers: number, document row, commit", series / args.seconds, "documents/s",
           target="≥ 500/s")
    report(f"documents issued, {args.writers} writers, one company (CPU-bound: pricing, PDF, e-mail)",
           issued / args.seconds, "documents/s", anchor="the series alone, documents/s",
           anchor_value=series / args.seconds)


if __name__ == "__main__":
    main()
