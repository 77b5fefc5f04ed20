"""Transaction search benchmark: ledger entries on PostgreSQL, searched through the real selectors
as the staff client Transactions tab and Finance → Transactions run them (a page of rows and the
paginator's count), in Polish and English, with the search words as the reader sees them.

    .venv/bin/python bench/transaction_search.py [--entries N] [--reload] [--explain]

Loads the entries with one INSERT … SELECT into a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/clientpanel_bench_transactions; kept between runs, reloaded with
--reload): 20 clients, one of them holding a tenth of the entries; of every ten entries a payment
with its code, one from before the codes, five monthly charges and an hourly one with codes, an old
charge and a manual transaction. Each search is timed with the words matched as the reader sees
them (now) and, for comparison, as before (the stored English, transaction ID and service names
only). Prints a Markdown table; --explain prints PostgreSQL's plan of the Finance page's query.
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
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientpanel_bench_transactions")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")  # connections pooled, as served

from harness import ensure_database, report, setup_django  # noqa: E402 — bench/harness.py, beside this script

CLIENTS = 20
SEARCHES = [  # (language, words): fixed text, a period and an amount as shown, a document number, the same in
    # English, the wording of a charge whose service is gone (a check per row), nothing
    ("pl", "Płatność"), ("pl", "miesiąc 10,00"), ("pl", "PROFORMA/2026/00120"), ("en", "Payment"),
    ("en", "month 10.00"), ("pl", "Usługa"), ("en", "qqxqzv"), ("pl", "qqxqzv")]


def load(entries: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from clientpanel.accounts.services.staff import staff_create
    from clientpanel.clients.services import client_create

    call_command("migrate", verbosity=0)
    from clientpanel.accounts.models import User

    if User.objects.filter(email="bench-admin@example.com").exists():
        return  # loaded before (--reload loads again)
    started = time.perf_counter()
    staff_create(email="bench-admin@example.com", password="bench-admin-passphrase", superuser=True,
                 firstname="Bench", lastname="Admin", roles=["Administrator"])
    clients = [client_create(actor=None, data={
        "email": f"owner{n}@example.com", "firstname": "Ruslan", "lastname": f"Polovyi{n}", "company_name": "",
        "language": "pl", "currency": "PLN", "billing_address": {
            "address1": "Main Street 1", "city": "Warszawa", "postcode": "02-454", "country": "PL",
            "region": "Mazowieckie"}}) for n in range(CLIENTS)]
    big = entries // 10
    with connection.cursor() as cursor:
        for index, client in enumerate(clients):
            count = big if index == 0 else (entries - big) // (CLIENTS - 1)
            # The kinds by i % 10 (see the module's docstring); amounts in units of 1/10,000.
            cursor.execute("""
                INSERT INTO ledger_ledgerentry (id, client_id, sequence, type, gross, net, balance_before,
                    balance_after, description, description_code, description_params, transaction_id, service_id,
                    document_id, created_at, created_by_kind, created_by_label)
                SELECT gen_random_uuid(), %(client)s, i, kind, net, net, SUM(net) OVER w - net, SUM(net) OVER w,
                       description, code, params, '', service, document, now() - make_interval(secs => %(count)s - i),
                       'SYSTEM', 'System'
                FROM (
                    SELECT i, s.service, s.document,
                           CASE WHEN i %% 10 IN (0, 1) THEN 'PAYMENT' WHEN i %% 10 = 9 THEN 'ADJUSTMENT' ELSE 'CHARGE' END
                               AS kind,
                           CASE WHEN i %% 10 IN (0, 1) THEN 1000000 WHEN i %% 10 = 9 THEN 10000
                                WHEN i %% 10 = 7 THEN -9271 ELSE -100000 END::bigint AS net,
                           CASE i %% 10 WHEN 0 THEN 'Payment for PROFORMA/2026/' || lpad(i::text, 5, '0')
                               WHEN 1 THEN 'Payment for PRO/2019/' || i
                               WHEN 7 THEN 'Service:' || s.service || ', 1h × 0.9271 per hour'
                               WHEN 8 THEN 'Service:' || s.service || ', 3 months × 30.0000'
                               WHEN 9 THEN 'Rabat za awarię ' || i
                               ELSE 'Service:' || s.service || ', 1 month × 10.0000' END AS description,
                           CASE i %% 10 WHEN 0 THEN 'payment' WHEN 1 THEN '' WHEN 7 THEN 'service_hour'
                               WHEN 8 THEN '' WHEN 9 THEN '' ELSE 'service_period' END AS code,
                           CASE i %% 10 WHEN 0 THEN jsonb_build_object('number', 'PROFORMA/2026/' || lpad(i::text, 5, '0'))
                               WHEN 7 THEN jsonb_build_object('service', s.service::text, 'rate', '0.9271')
                               WHEN 1 THEN NULL WHEN 8 THEN NULL WHEN 9 THEN NULL
                               ELSE jsonb_build_object('service', s.service::text, 'period', 'MONTHLY',
                                                       'amount', '10.0000') END AS params
                    FROM generate_series(1, %(count)s) AS i
                    CROSS JOIN LATERAL (SELECT CASE WHEN i %% 10 BETWEEN 2 AND 8 THEN gen_random_uuid() END AS service,
                                               CASE WHEN i %% 10 IN (0, 1) THEN gen_random_uuid() END AS document) s
                ) rows
                WINDOW w AS (ORDER BY i)
            """, {"client": client.pk, "count": count})
        cursor.execute("ANALYZE ledger_ledgerentry")
    print(f"loaded {entries:,} entries in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _before(word, names):
    """The search as it was: the stored English, the transaction ID and the service's name."""
    from django.db.models import Q

    found = Q(description__icontains=word) | Q(transaction_id__icontains=word)
    return found | Q(service_id__in=names.matching(word)) if names else found


def _page(entries) -> tuple[int, int]:
    return len(list(entries[:50])), entries.count()


def measure(rounds: int, explain: bool) -> list[tuple]:
    from django.utils import translation

    from clientpanel.accounts.models import User
    from clientpanel.client_services.selectors import entry_service_names
    from clientpanel.clients.models import Client
    from clientpanel.ledger import selectors

    staff = User.objects.get(email="bench-admin@example.com")
    client = Client.objects.get(owner__email="owner0@example.com")
    now = selectors._searched
    rows = []
    for language, words in SEARCHES:
        for name, run in (("Transactions tab", lambda w: selectors.client_entries(
                client=client, search=w, names=entry_service_names())),
                          ("Finance → Transactions", lambda w: selectors.entries_visible_to(
                              staff, search=w, names=entry_service_names()))):
            timings: dict[str, list[float]] = {"before": [], "now": []}
            found: dict[str, int] = {}
            with translation.override(language):
                for _ in range(rounds):  # before and now in turn, so the machine's drift hits both alike
                    for way, searched in (("before", _before), ("now", now)):
                        selectors._searched = searched
                        started = time.perf_counter()
                        found[way] = _page(run(words))[1]
                        timings[way].append((time.perf_counter() - started) * 1000)
                selectors._searched = now
                if explain and name.startswith("Finance"):
                    print(f"-- {language} {words!r}\n" + run(words)[:50].explain(analyze=True), file=sys.stderr)
            figures = {way: (statistics.median(timings[way]), found[way]) for way in timings}
            selectors._searched = now
            rows.append((name, language, words, *figures["before"], *figures["now"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    ensure_database(BENCH_URL)
    if args.reload:
        from urllib.parse import urlparse

        import psycopg

        url = urlparse(BENCH_URL)
        with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.path.lstrip("/")}" WITH (FORCE)')
        ensure_database(BENCH_URL)
    setup_django(BENCH_URL)
    load(args.entries)
    rows = measure(args.rounds, args.explain)
    print(f"\n{args.entries:,} entries; median of {args.rounds} (a page of 50 and its count), ms\n")
    print("| list | language | words | before ms | found before | now ms | found now |")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, language, words, before_ms, before_found, now_ms, now_found in rows:
        print(f"| {name} | {language} | {words} | {before_ms:.0f} | {before_found:,} | {now_ms:.0f} | {now_found:,} |")
    worst = max(row[5] for row in rows)
    report("transaction search, slowest page (now)", worst, "ms")


if __name__ == "__main__":
    main()
