"""A credit note's reason (issue 14): a new column, fixed once the document is issued like the rest of
it, so the immutability triggers of 0003 are made again with `reason` among the fixed columns (on
SQLite they are dropped first: it rebuilds the table to add a NOT NULL column)."""

import importlib

from django.db import migrations, models

IMMUTABLE = importlib.import_module("clientpanel.invoicing.migrations.0003_issued_documents_immutable")
FIXED = [*IMMUTABLE.FIXED, "reason"]


def _statements(columns: list[str]) -> tuple[str, list[str]]:
    pg = IMMUTABLE.PG_CREATE.replace(
        " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in IMMUTABLE.FIXED),
        " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns))
    sqlite = [s.replace(" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE.FIXED),
                        " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)) for s in IMMUTABLE.SQLITE_CREATE]
    return pg, sqlite


def _sqlite_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in IMMUTABLE.SQLITE_DROP:
            schema_editor.execute(statement, params=None)


def _make(columns: list[str]):
    def make(apps, schema_editor):
        pg, sqlite = _statements(columns)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg, params=None)  # CREATE OR REPLACE, then the triggers dropped and made
        elif vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement, params=None)
    return make


def _reverse_created(apps, schema_editor):
    """Back to 0003's function on PostgreSQL before the column goes; SQLite drops its triggers (made
    again once the table is rebuilt without the column)."""
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_drop(apps, schema_editor)
    else:
        _make(IMMUTABLE.FIXED)(apps, schema_editor)


def _sqlite_restore(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _make(IMMUTABLE.FIXED)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_issued_documents_immutable")]

    operations = [
        # SQLite rebuilds the table to add the column and refuses to while triggers name it.
        migrations.RunPython(_sqlite_drop, _sqlite_restore),
        migrations.AddField(
            model_name="document",
            name="reason",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RunPython(_make(FIXED), _reverse_created),
    ]


def _sqlite_restore_0004(apps, schema_editor):
    """SQLite's triggers as this migration leaves them (for a later migration that rebuilds the table)."""
    if schema_editor.connection.vendor == "sqlite":
        _make(FIXED)(apps, schema_editor)
