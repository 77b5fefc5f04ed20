"""Dashboard benchmark (issue 14): 1,000,000 clients and 10,000,000 ledger entries on PostgreSQL.

    make bench-dashboard            (or: .venv/bin/python bench/dashboard.py [--clients N] [--reload])

A database of its own (BENCH_DASHBOARD_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/clientpanel_bench_dashboard; kept between runs, reloaded with
--reload): the directory benchmark's clients (bench/directory.py, COPY), then, set-based in
PostgreSQL, ten ledger entries per client, a paid add-funds proforma per client with its payment and
final invoice spread over the last 12 months, an unpaid proforma for one client in ten (half of them
overdue), a credit note for one paid invoice in fifty, and a service per client (monthly, hourly,
suspended, terminated, one in a hundred failed to provision). Then it times, in-process through
Django's full stack: the refresh_dashboard job (adding every figure up over all clients, what the
snapshot saves the page from), the report rollups built from scratch (reports/rollups.py), the
dashboard page of an administrator (reads the snapshot) and of a staff member limited to 100
assigned clients (adds theirs up live), and each report of Finance → Reports with its default
filters (the administrator's read the rollups and add up live only what was written since). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DASHBOARD_DATABASE_URL",
                     "postgres://postgres@127.0.0.1:5432/clientpanel_bench_dashboard")
os.environ["BENCH_DATABASE_URL"] = URL  # bench/directory.py loads its clients there
sys.path.insert(0, str(ROOT / "bench"))

import directory  # noqa: E402  (bench/directory.py: the clients)
import django  # noqa: E402

UNIT = 10_000  # amounts are stored in 1/10,000 units


def load_money(raw) -> None:
    """Everything but the clients, set-based (INSERT … SELECT over the clients). Documents and
    payments go in in the order of their dates, as a live system writes them: the reports find the
    rows written since their rollups through BRIN indexes, which rely on that order."""
    steps = [
        ("ledger entries (10 per client)", """
            INSERT INTO ledger_ledgerentry (id, client_id, sequence, type, gross, net, balance_before, balance_after,
                description, transaction_id, created_at, created_by_kind, created_by_label)
            SELECT gen_random_uuid(), c.id, s, 'PAYMENT', 1230000, 1000000, (s - 1) * 1000000, s * 1000000,
                   'Add funds', '', now() - make_interval(days => (400 - s * 30)), 'system', 'system'
            FROM clients_client c CROSS JOIN generate_series(1, 10) s"""),
        ("paid proformas", """
            INSERT INTO invoicing_document (id, client_id, home_company_id, type, number, status, currency, language,
                issue_date, due_date, paid_date, net, tax, total, paid_gross, paid_net, refunded_net, tax_lines,
                reverse_charge, client_snapshot, company_snapshot, billing_address, shipping_address, created_at,
                pdf_name, pdf_sha256)
            SELECT gen_random_uuid(), c.id, %(company)s, 'PROFORMA', 'PF/' || c.number, 'INVOICED', c.currency, 'en',
                   t.at, t.at + interval '7 days', t.at, 1000000, 230000, 1230000, 1230000, 1000000, 0,
                   '[]', false, '{}', '{}', '{}', '{}', t.at, '', ''
            FROM clients_client c
            CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (abs(hashtext(c.number)) %% 31536000))
                                AS at) t
            ORDER BY t.at"""),
        ("payments", """
            INSERT INTO invoicing_payment (id, client_id, document_id, gross, net, method, transaction_id, paid_at,
                ledger_entry_id, created_at)
            SELECT gen_random_uuid(), d.client_id, d.id, d.total, d.net, 'bank', '', d.paid_date, gen_random_uuid(),
                   d.paid_date
            FROM invoicing_document d WHERE d.type = 'PROFORMA' AND d.status = 'INVOICED' ORDER BY d.paid_date"""),
        ("final invoices", """
            INSERT INTO invoicing_document (id, client_id, home_company_id, type, number, status, currency, language,
                issue_date, due_date, paid_date, net, tax, total, paid_gross, paid_net, refunded_net, tax_lines,
                reverse_charge, client_snapshot, company_snapshot, billing_address, shipping_address, created_at,
                pdf_name, pdf_sha256, related_id)
            SELECT gen_random_uuid(), d.client_id, d.home_company_id, 'INVOICE', 'INV/' || substr(d.number, 4),
                   'PAID', d.currency, 'en', d.paid_date, d.paid_date, d.paid_date, d.net, d.tax, d.total, d.total,
                   d.net, 0, '[]', false, '{}', '{}', '{}', '{}', d.paid_date, '', '', d.id
            FROM invoicing_document d WHERE d.type = 'PROFORMA' AND d.status = 'INVOICED' ORDER BY d.paid_date"""),
        ("credit notes (1 in 50 invoices)", """
            INSERT INTO invoicing_document (id, client_id, home_company_id, type, number, status, currency, language,
                issue_date, net, tax, total, paid_gross, paid_net, refunded_net, tax_lines, reverse_charge,
                client_snapshot, company_snapshot, billing_address, shipping_address, created_at, pdf_name,
                pdf_sha256, related_id)
            SELECT gen_random_uuid(), d.client_id, d.home_company_id, 'CREDIT_NOTE', 'CN/' || substr(d.number, 5),
                   'REFUNDED', d.currency, 'en', d.issue_date + interval '1 day', -500000, -115000, -615000, 0, 0, 0,
                   '[]', false, '{}', '{}', '{}', '{}', d.issue_date + interval '1 day', '', '', d.id
            FROM invoicing_document d
            WHERE d.type = 'INVOICE' AND abs(hashtext(d.number)) %% 50 = 0
              AND d.issue_date < now() - interval '1 day'
            ORDER BY d.issue_date"""),
        ("unpaid proformas (1 client in 10, half overdue)", """
            INSERT INTO invoicing_document (id, client_id, home_company_id, type, number, status, currency, language,
                issue_date, due_date, net, tax, total, paid_gross, paid_net, refunded_net, tax_lines, reverse_charge,
                client_snapshot, company_snapshot, billing_address, shipping_address, created_at, pdf_name,
                pdf_sha256)
            SELECT gen_random_uuid(), c.id, %(company)s, 'PROFORMA', 'PU/' || c.number, 'UNPAID', c.currency, 'en',
                   t.at, t.at + interval '7 days', 500000, 115000, 615000, 0, 0, 0, '[]', false, '{}', '{}', '{}',
                   '{}', t.at, '', ''
            FROM clients_client c
            CROSS JOIN LATERAL (SELECT now() - make_interval(days => (abs(hashtext(c.number)) %% 14)) AS at) t
            WHERE abs(hashtext(c.number || 'u')) %% 10 = 0
            ORDER BY t.at"""),
        ("services (one per client)", """
            INSERT INTO services_service (id, client_id, product_id, label, currency, period, amount, setup_fee,
                status, provision_status, provision_error, order_date, activation_date, suspension_reason,
                cancel_requested, billed_until, created_at, funds_override)
            SELECT gen_random_uuid(), c.id, CASE WHEN k < 5 THEN %(hourly)s ELSE %(monthly)s END,
                   lpad(upper(to_hex(c.n)), 6, '0'), c.currency,
                   CASE WHEN k < 5 THEN 'HOURLY' ELSE 'MONTHLY' END,
                   CASE WHEN k < 5 THEN 9271 ELSE 200000 END, 0,
                   CASE WHEN k < 80 THEN 'ACTIVE' WHEN k < 90 THEN 'SUSPENDED' WHEN k < 99 THEN 'TERMINATED'
                        ELSE 'PENDING' END,
                   CASE WHEN k = 99 THEN 'ERROR' ELSE 'COMPLETED' END,
                   CASE WHEN k = 99 THEN 'Post install script failed' ELSE '' END,
                   c.created_at, c.created_at, '', false,
                   CASE WHEN k < 5 THEN date_trunc('hour', now()) + interval '1 hour'
                        WHEN k < 80 THEN now() + make_interval(mins => (abs(hashtext(c.number || 'b')) %% 43200))
                        END,
                   c.created_at, false
            FROM (SELECT *, abs(hashtext(number || 's')) %% 100 AS k, row_number() OVER () AS n
                  FROM clients_client) c"""),
    ]
    from clientpanel.catalog.models import Product
    from clientpanel.tax.selectors import default_home_company

    company = default_home_company().pk
    hourly = Product.objects.get_or_create(key="bench-hourly", defaults={"name": "VPS hourly", "module": "manual"})[0]
    monthly = Product.objects.get_or_create(key="bench-monthly", defaults={"name": "Mail", "module": "manual"})[0]
    params = {"company": company, "hourly": hourly.pk, "monthly": monthly.pk}
    # Django's connection is in autocommit mode: each step is a transaction of its own.
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute("SET LOCAL clientpanel.allow_truncate = 'on'")  # the benchmark's own database
        cursor.execute("TRUNCATE ledger_ledgerentry, invoicing_payment, invoicing_document, services_service CASCADE")
    for label, sql in steps:
        started = time.perf_counter()
        with raw.transaction(), raw.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.rowcount
        print(f"  {label}: {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    for table in ("ledger_ledgerentry", "invoicing_document", "invoicing_payment", "services_service"):
        raw.execute(f"VACUUM ANALYZE {table}")


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm caches once: the steady state is measured
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--reload", action="store_true", help="load everything again even if it is there")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    directory.ensure_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.utils import timezone

    from clientpanel.accounts.services import staff_create
    from clientpanel.clients.models import Client, StaffAssignment
    from clientpanel.ledger.models import LedgerEntry
    from clientpanel.reports.dashboard import dashboard_refresh
    from clientpanel.reports.rollups import rollups_rebuild

    call_command("migrate", verbosity=0)
    if args.reload or Client.objects.count() < args.clients:
        directory.load(args.clients)
    connection.ensure_connection()
    if args.reload or LedgerEntry.objects.count() < args.clients * 10:
        load_money(connection.connection)
    entries = LedgerEntry.objects.count()

    started = time.perf_counter()
    dashboard_refresh(now=timezone.now())
    refresh_s = time.perf_counter() - started
    started = time.perf_counter()
    rollups = rollups_rebuild()  # what the roll_up_reports job does the first time, over everything
    rollup_s = time.perf_counter() - started

    admin = staff_create(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password="bench-password-2026",
                         roles=["Administrator"])
    limited = staff_create(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password="bench-password-2026",
                           roles=["Administrator"], limited_to_assigned_clients=True)
    StaffAssignment.objects.bulk_create([StaffAssignment(staff=limited, client_id=pk) for pk in
                                         Client.objects.order_by("number").values_list("pk", flat=True)[:100]])

    def page(user, path="/staff/"):
        http = HttpClient()
        http.force_login(user)

        def call():
            response = http.get(path)
            assert response.status_code == 200, response.status_code
        return call

    rows = [("dashboard, administrator (the snapshot)", timed(page(admin), args.repeat)),
            ("dashboard, staff limited to 100 clients (live)", timed(page(limited), args.repeat))]
    for report in ("revenue", "tax", "aging", "balances"):
        path = f"/staff/finance/reports/{report}/"
        span = " (12 months)" if report in ("revenue", "tax") else ""
        rows.append((f"report {report}, administrator{span}", timed(page(admin, path), args.repeat)))
    print(f"\n{Client.objects.count():,} clients · {entries:,} ledger entries · PostgreSQL "
          f"{connection.pg_version // 10000} · median and p95 of {args.repeat} requests, in-process through the "
          f"full Django stack\n")
    print("| request | median ms | p95 ms |")
    print("|---|---:|---:|")
    for label, (median, p95) in rows:
        print(f"| {label} | {median:.1f} | {p95:.1f} |")
    print(f"| refresh_dashboard job (every figure over every client, once) | {refresh_s * 1000:.0f} | – |")
    print(f"| report rollups built from scratch ({rollups['rows']:,} daily rows) | {rollup_s * 1000:.0f} | – |")


if __name__ == "__main__":
    main()
