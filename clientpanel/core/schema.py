"""Index changes that migrations make by name on tables that may be large: on PostgreSQL built and
dropped CONCURRENTLY, so that writes go on meanwhile (the migration must be non-atomic); elsewhere
(SQLite) plain statements. By name rather than by altering fields: SQLite would rebuild the table
for an altered field."""

from __future__ import annotations

from django.db import migrations


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def _fk_index_name(schema_editor, table: str, column: str) -> str:
    """The name Django gave a foreign key's own index (the same on every database)."""
    return schema_editor._create_index_name(table, [column], suffix="")


def fk_index_made_partial(table: str, column: str, index_name: str) -> migrations.RunPython:
    """A foreign key's index replaced by one over the rows where it is set (most rows name
    nobody, and a full index takes an entry for each of them on every insert)."""

    def forwards(apps, schema_editor):
        how = _concurrently(schema_editor)
        schema_editor.execute(f'CREATE INDEX {how}IF NOT EXISTS "{index_name}" ON "{table}" ("{column}") '
                              f'WHERE "{column}" IS NOT NULL')
        schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{_fk_index_name(schema_editor, table, column)}"')

    def backwards(apps, schema_editor):
        how = _concurrently(schema_editor)
        schema_editor.execute(f'CREATE INDEX {how}IF NOT EXISTS "{_fk_index_name(schema_editor, table, column)}" '
                              f'ON "{table}" ("{column}")')
        schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{index_name}"')

    return migrations.RunPython(forwards, backwards)


def fk_index_dropped(table: str, column: str) -> migrations.RunPython:
    """A foreign key's own index dropped where another index starts with the same column and
    serves its look-ups (the joins, the cascade of a delete)."""

    def forwards(apps, schema_editor):
        schema_editor.execute(f'DROP INDEX {_concurrently(schema_editor)}IF EXISTS '
                              f'"{_fk_index_name(schema_editor, table, column)}"')

    def backwards(apps, schema_editor):
        schema_editor.execute(f'CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS '
                              f'"{_fk_index_name(schema_editor, table, column)}" ON "{table}" ("{column}")')

    return migrations.RunPython(forwards, backwards)
