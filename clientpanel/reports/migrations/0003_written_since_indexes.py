"""The reports add up live only what was written since the rollups (reports/rollups.py): payments
and ledger entries by created_at, invoices and credit notes by issue date. On PostgreSQL a BRIN
index finds those recent rows: these tables are written in time order, so a block range's
minimum and maximum bound its rows, and a BRIN index costs next to nothing on insert (the ledger's
is the hottest insert in the product, where a B-tree would have to earn its place). SQLite scans,
which is fine at the sizes it is meant for."""

from django.db import migrations

INDEXES = [
    ("payment_created_brin", "invoicing_payment", "created_at"),
    ("document_issue_date_brin", "invoicing_document", "issue_date"),
    ("ledger_entry_created_brin", "ledger_ledgerentry", "created_at"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING brin ({column})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_daily_rollups"),
        ("invoicing", "0004_document_reason"),
        ("ledger", "0006_impersonator"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
