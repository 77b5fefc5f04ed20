"""Hourly billing of 100,000 active services on PostgreSQL (SPEC §12: one pass under 60 s; a second
pass charges nothing), and how it scales with 1 and 2 Huey consumers on Redis.

    .venv/bin/python bench/billing.py [--services 100000] [--per-client 5]

Loads the services with COPY into a database of its own (BENCH_BILLING_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/clientpanel_bench_billing), all ACTIVE with their next hour due,
their clients funded. Then: one pass of the charge job in this process (`run_automation`'s
function), a second pass at the same moment, and for the next hour the same job run by 1, then 2
`manage.py run_huey` consumers on Redis (REDIS_URL, default redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from harness import report  # bench/harness.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_BILLING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientpanel_bench_billing")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")
T = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def recreate_database() -> None:
    import psycopg

    url = urlparse(BENCH_URL)
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        name = url.path.lstrip("/")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(services: int, per_client: int) -> None:
    from django.db import connection

    from clientpanel.catalog.models import Price, Product

    product = Product.objects.create(key="vps-l", name="VPS L", module="manual", hourly_billing=True)
    price = Price.objects.create(product=product, currency="USD", period="HOURLY", amount=Decimal("0.9271"))
    clients = services // per_client
    raw = connection.connection
    started = time.perf_counter()
    with raw.cursor() as cur:
        users, client_rows, balances, service_rows, entries = [], [], [], [], []
        for c in range(clients):
            user_id, client_id = uuid.uuid4(), uuid.uuid4()
            users.append((user_id, "!", False, f"b{c}@example.com", "B", str(c), "", "en", False, False, True, T,
                          False, "", "[]"))
            client_rows.append((client_id, f"{c + 1:07d}", "", "ACTIVE", user_id, "B", str(c), "", f"B {c}", "", "",
                                "en", "USD", 0, "", "", "UNCHECKED", "US", "", "", T, T))
            balances.append((client_id, "USD", 10_000 * 10_000, 1))
            # The funds arrive through the ledger, so verify_ledger holds from the first entry.
            entries.append((uuid.uuid4(), client_id, 1, "ADJUSTMENT", 10_000 * 10_000, 10_000 * 10_000, 0,
                            10_000 * 10_000, "Top-up", "", T - dt.timedelta(hours=2), "system", "bench"))
            for _ in range(per_client):
                label = f"{len(service_rows):06X}"  # unique, unlike random ones at this count
                service_rows.append((uuid.uuid4(), client_id, product.pk, price.pk, label,
                                     "USD", "HOURLY", 9271, 0, "ACTIVE", "COMPLETED", "", T - dt.timedelta(hours=1),
                                     T - dt.timedelta(hours=1), "", False, T, T))
        for sql, rows in (
            ("COPY accounts_user (id, password, is_superuser, email, firstname, lastname, phone, language, "
             "email_verified, is_staff, is_active, created_at, limited_to_assigned_clients, totp_secret, "
             "recovery_codes) FROM STDIN", users),
            ("COPY clients_client (id, number, id_number, status, owner_id, firstname, lastname, company_name, "
             "display_name, tax_id, phone, language, currency, credit_limit, admin_notes, public_notes, "
             "vies_status, billing_country, billing_city, search_text, created_at, updated_at) FROM STDIN", client_rows),
            ("COPY clients_clientbalance (client_id, currency, balance, ledger_sequence) FROM STDIN", balances),
            ("COPY services_service (id, client_id, product_id, price_id, label, currency, period, amount, setup_fee, "
             "status, provision_status, provision_error, order_date, activation_date, suspension_reason, "
             "cancel_requested, billed_until, created_at) FROM STDIN", service_rows),
            ("COPY ledger_ledgerentry (id, client_id, sequence, type, gross, net, balance_before, balance_after, "
             "description, transaction_id, created_at, created_by_kind, created_by_label) FROM STDIN", entries),
        ):
            with cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
    raw.commit()
    raw.autocommit = True
    raw.execute("VACUUM ANALYZE")
    raw.autocommit = False
    print(f"Loaded {clients:,} clients with {services:,} hourly services in {time.perf_counter() - started:.1f} s")


def consumers_pass(count: int, at: dt.datetime, services: int) -> float:
    """Start `count` Huey consumers on Redis, enqueue the charge job once per consumer (they split
    the due services with SKIP LOCKED), and time until every service is billed past `at`."""
    from huey.contrib.djhuey import HUEY

    from clientpanel.client_services.models import Service
    from clientpanel.client_services.tasks import charge_services_task

    HUEY.storage.flush_queue()
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "1",
                               "--no-periodic"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(count)]
    time.sleep(4)  # consumers connected
    started = time.perf_counter()
    for _ in range(count):
        charge_services_task(at.isoformat())
    while Service.objects.filter(status="ACTIVE", billed_until__lte=at).exists():
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)
    return elapsed


def set_based_insert(rows: int) -> float:
    """What PostgreSQL itself takes to insert as many ledger entries in one statement, into a copy
    of the entries table with its indexes (dropped afterwards): the floor of a billing pass."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_anchor_entries")
        cursor.execute("CREATE TABLE bench_anchor_entries (LIKE ledger_ledgerentry INCLUDING DEFAULTS "
                       "INCLUDING INDEXES INCLUDING CONSTRAINTS)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_anchor_entries (id, client_id, sequence, type, gross, net, balance_before, "
            "balance_after, description, description_code, description_params, transaction_id, created_at, "
            "created_by_kind, created_by_label) "
            "SELECT gen_random_uuid(), c.id, 1000 + n, 'CHARGE', -9271, -9271, 0, -9271, "
            "'Service:' || gen_random_uuid() || ', 1h × 0.9271 per hour', 'service_hour', "
            "jsonb_build_object('service', gen_random_uuid()::text, 'rate', '0.9271'), '', now(), 'system', 'bench' "
            "FROM generate_series(1, %s) n JOIN LATERAL (SELECT id FROM clients_client LIMIT 1) c ON true", [rows])
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_anchor_entries")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--per-client", type=int, default=5)
    args = parser.parse_args()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    from clientpanel.client_services.services import job_charge_services
    from clientpanel.ledger.models import LedgerEntry
    from clientpanel.ledger.selectors import ledger_breaches

    call_command("migrate", verbosity=0)
    load(args.services, args.per_client)

    started = time.perf_counter()
    first = job_charge_services(now=T)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = job_charge_services(now=T)
    second_s = time.perf_counter() - started
    one = consumers_pass(1, T + dt.timedelta(hours=1), args.services)
    two = consumers_pass(2, T + dt.timedelta(hours=2), args.services)
    anchor_s = set_based_insert(args.services)
    entries = LedgerEntry.objects.count()
    breaches = ledger_breaches(limit=1)
    print(f"\n{args.services:,} active hourly services on {args.services // args.per_client:,} clients · "
          f"PostgreSQL at {BENCH_URL.split('@')[-1]}\n")
    print("| pass | services charged | charges | seconds | services/s |")
    print("|---|---:|---:|---:|---:|")
    print(f"| first pass, in one process | {first['services']:,} | {first['charges']:,} | {first_s:.1f} | "
          f"{first['services'] / first_s:,.0f} |")
    print(f"| second pass, same hour | {second['services']:,} | {second['charges']:,} | {second_s:.2f} | – |")
    print(f"| next hour, 1 Huey consumer on Redis | {args.services:,} | {args.services:,} | {one:.1f} | "
          f"{args.services / one:,.0f} |")
    print(f"| next hour, 2 Huey consumers on Redis | {args.services:,} | {args.services:,} | {two:.1f} | "
          f"{args.services / two:,.0f} |")
    print(f"\nAnchor, same run: {args.services:,} ledger-shaped rows (the entries table's columns and indexes) "
          f"inserted by one INSERT … SELECT: {anchor_s:.2f} s")
    report(f"billing pass, {args.services:,} hourly services, one process", first_s, "s", target="< 10 s",
           anchor=f"INSERT … SELECT of {args.services:,} ledger-shaped rows, s", anchor_value=anchor_s)
    report("billing pass, 2 consumers ÷ 1", one / two, "×", target="≥ 1.8×")
    print(f"\nledger entries: {entries:,} (expected {3 * args.services + args.services // args.per_client:,}); verify_ledger: "
          f"{'clean' if not breaches else breaches[0]}")


if __name__ == "__main__":
    main()
