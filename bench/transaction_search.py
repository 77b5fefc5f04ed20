"""Transaction search benchmark: ledger entries on PostgreSQL, searched through the real selectors
as the staff client Transactions tab and Finance → Transactions run them (a page of rows and the
paginator's count), in Polish and English, with the search words as the reader sees them.

    .venv/bin/python bench/transaction_search.py [--entries N] [--reload] [--explain] [--paging]

Loads the entries with one INSERT … SELECT into a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/clientpanel_bench_transactions; kept between runs, reloaded with
--reload): 20 clients, one of them holding a tenth of the entries; of every ten entries a payment
with its code, one from before the codes, five monthly charges and an hourly one with codes, an old
charge and a manual transaction. Each search is timed with the words matched as the reader sees
them (now) and, for comparison, as before (the stored English, transaction ID and service names
only). Prints a Markdown table; --explain prints PostgreSQL's plan of the Finance page's query.
--paging times Finance → Transactions' first page and a deep one (no search, a type, words) as the
list paged before (sorted by date, an exact count, OFFSET) and now (by the key from a cursor, the
count capped at 1,000). Entry ids are time-ordered as the ledger's (version 7, of each entry's
moment) and the table lies in their order.
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
    # English, the wording of a charge whose service is gone (a check per row), nothing, an entry type's label
    ("pl", "Płatność"), ("pl", "miesiąc 10,00"), ("pl", "PROFORMA/2026/00120"), ("en", "Payment"),
    ("en", "month 10.00"), ("pl", "Usługa"), ("en", "qqxqzv"), ("pl", "qqxqzv"), ("pl", "Korekta"),
    ("en", "Refund")]


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
                SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7'
                        || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
                       %(client)s, i, kind, net, net, SUM(net) OVER w - net, SUM(net) OVER w,
                       description, code, params, '', service, document, at, 'SYSTEM', 'System'
                FROM (
                    SELECT i, s.service, s.document, now() - make_interval(secs => %(count)s - i) AS at,
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
        # The table in its key's order, as entries posted over time lie (ids are time-ordered,
        # core.ids.new_id: a version 7 id of each entry's moment here); then its statistics.
        cursor.execute("CLUSTER ledger_ledgerentry USING ledger_ledgerentry_pkey")
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


PAGING = [  # (what, type, language, words): the Finance list as staff first open it, one type, words
    ("no search", "", "en", ""), ("type Payment", "PAYMENT", "en", ""), ("type Refund (none)", "REFUND", "en", ""),
    ("words", "", "en", "Payment"), ("words", "", "pl", "miesiąc 10,00"), ("words", "", "pl", "PROFORMA/2026/00120"),
    ("words (nothing)", "", "en", "qqxqzv")]
DEEP_PAGE = 10_000  # at most; row 499,951 of a million, or the middle of fewer matches


def _paged_before(staff, kind: str, words: str, number: int) -> tuple[int, int]:
    """Finance → Transactions as it was: every client's entries by client IN (…), sorted by date,
    an exact count and an OFFSET page (Django's Paginator)."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    from clientpanel.client_services.selectors import entry_service_names
    from clientpanel.clients.selectors import clients_visible_to
    from clientpanel.ledger import selectors
    from clientpanel.ledger.models import EntryType, LedgerEntry

    names = entry_service_names()  # entries_visible_to as it was, the same search rule
    entries = selectors._named(LedgerEntry.objects.filter(client__in=clients_visible_to(staff)).select_related(
        "client"), names)
    if kind in EntryType.values:
        entries = entries.filter(type=kind)
    for word in words.split()[:4]:
        entries = entries.filter(selectors._searched(word, names) | Q(client__display_name__icontains=word))
    page = Paginator(entries.order_by("-created_at", "-id"), 50).page(number)
    return len(list(page)), page.paginator.count


def _paged_now(staff, kind: str, words: str, cursor: str | None) -> tuple[int, int]:
    from clientpanel.client_services.selectors import entry_service_names
    from clientpanel.ledger import selectors

    page = selectors.entries_page(staff, search=words, type=kind, names=entry_service_names(), cursor=cursor)
    return len(page.results), page.count


def measure_paging(rounds: int, explain: bool) -> list[tuple]:
    """Each case's first page and a deep one, the list as it was and as it is now, in turn."""
    from django.utils import translation

    from clientpanel.accounts.models import User
    from clientpanel.client_services.selectors import entry_service_names
    from clientpanel.core.pagination import encode_cursor
    from clientpanel.ledger import selectors

    staff = User.objects.get(email="bench-admin@example.com")
    rows = []
    for what, kind, language, words in PAGING:
        with translation.override(language):
            entries = selectors.entries_visible_to(staff, search=words, type=kind, names=entry_service_names())
            matches = entries.count()
            deep = min(DEEP_PAGE, max(1, matches // 100))
            depths = [(1, None)]
            if deep > 1:  # the cursor of the row before the deep page, as Next would have given it
                last = entries.values_list("pk", flat=True)[(deep - 1) * 50 - 1]
                depths.append((deep, encode_cursor("next", [str(last)], fields=selectors.ENTRY_PAGE_FIELDS)))
            for number, cursor in depths:
                timings: dict[str, list[float]] = {"before": [], "now": []}
                shown = {}
                for _ in range(rounds):
                    for way, run, where in (("before", _paged_before, number), ("now", _paged_now, cursor)):
                        started = time.perf_counter()
                        shown[way] = run(staff, kind, words, where)
                        timings[way].append((time.perf_counter() - started) * 1000)
                if explain:
                    page = selectors.entries_page(staff, search=words, type=kind, names=entry_service_names(),
                                                  cursor=cursor)
                    print(f"-- {what} {words!r} page {number}: {page.count} capped={page.count_capped}",
                          file=sys.stderr)
                rows.append((what, language, words or "—", number, statistics.median(timings["before"]),
                             shown["before"][1], statistics.median(timings["now"]), shown["now"][1]))
    return rows


def main_paging(args) -> None:
    rows = measure_paging(args.rounds, args.explain)
    print(f"\n{args.entries:,} entries; Finance → Transactions, median of {args.rounds} (a page of 50 and its "
          "count), ms\n")
    print("| case | language | words | page | before ms | count before | now ms | count now |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for what, language, words, number, before_ms, before_count, now_ms, now_count in rows:
        print(f"| {what} | {language} | {words} | {number:,} | {before_ms:,.0f} | {before_count:,} | "
              f"{now_ms:,.0f} | {now_count:,}{'+' if now_count == 1000 else ''} |")
    report("Finance transactions, slowest page (now)", max(row[6] for row in rows), "ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--paging", action="store_true", help="Finance → Transactions' pages and count, "
                        "as they were (date order, exact count, OFFSET) and now (key order, cursor, capped count)")
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
    if args.paging:
        main_paging(args)
        return
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
