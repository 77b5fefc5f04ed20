"""A ledger entry's two user references are indexed only where set: most entries are posted by the
system (billing runs) and name nobody, and a full index took an entry for each of them on every post.

On PostgreSQL the partial indexes are built CONCURRENTLY before the full ones are dropped: at ten
million entries a plain CREATE INDEX would hold off every post while it reads the table. Hence a
non-atomic migration; elsewhere (SQLite) the schema editor's own statements."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PARTIAL = {
    "created_by": models.Index(fields=["created_by"], condition=models.Q(created_by__isnull=False),
                               name="ledger_created_by_idx"),
    "impersonator": models.Index(fields=["impersonator"], condition=models.Q(impersonator__isnull=False),
                                 name="ledger_impersonator_idx"),
}


def _field(name: str, *, indexed: bool) -> models.ForeignKey:
    return models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                             to=settings.AUTH_USER_MODEL, db_index=indexed)


def _full_index_name(schema_editor, name: str) -> str:
    """The name Django gave the foreign key's own index (the same on every database)."""
    return schema_editor._create_index_name("ledger_ledgerentry", [f"{name}_id"], suffix="")


def forwards(apps, schema_editor):
    # Indexes made and dropped by name, not by altering the fields: SQLite would rebuild the table
    # for that, and lose its append-only triggers with it.
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, index in PARTIAL.items():
        schema_editor.execute(f'CREATE INDEX {concurrently}IF NOT EXISTS "{index.name}" ON ledger_ledgerentry '
                              f'("{name}_id") WHERE "{name}_id" IS NOT NULL')
        schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{_full_index_name(schema_editor, name)}"')


def backwards(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, index in PARTIAL.items():
        schema_editor.execute(f'CREATE INDEX {concurrently}IF NOT EXISTS "{_full_index_name(schema_editor, name)}" '
                              f'ON ledger_ledgerentry ("{name}_id")')
        schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{index.name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ledger", "0007_billing_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(model_name="ledgerentry", name="created_by",
                                      field=_field("created_by", indexed=False)),
                migrations.AlterField(model_name="ledgerentry", name="impersonator",
                                      field=_field("impersonator", indexed=False)),
                migrations.AddIndex(model_name="ledgerentry", index=PARTIAL["created_by"]),
                migrations.AddIndex(model_name="ledgerentry", index=PARTIAL["impersonator"]),
            ],
        ),
    ]
