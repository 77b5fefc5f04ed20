"""Index changes that migrations make by name on tables that may be large: on PostgreSQL built and
dropped CONCURRENTLY, so that writes go on meanwhile (the migration must be non-atomic); elsewhere
(SQLite) plain statements. By name rather than by altering fields: SQLite would rebuild the table
for an altered field.

Migrations call these from their own module-level functions (so that they can be squashed), and
past migrations run this code as it is now: change what a function does only by adding another."""

from __future__ import annotations


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def fk_index_name(schema_editor, table: str, column: str) -> str:
    """The name Django gave a foreign key's own index (the same on every database)."""
    return schema_editor._create_index_name(table, [column], suffix="")


def _invalid(schema_editor, name: str) -> bool:
    """Whether PostgreSQL holds an index of this name left invalid by a concurrent build that
    failed or was cancelled (the planner never uses it; IF NOT EXISTS would keep it)."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE c.relname = %s", [name])
        row = cursor.fetchone()
    return bool(row and row[0])


def index_create(schema_editor, name: str, table: str, columns_sql: str, where_sql: str = "") -> None:
    """Build the index (again, when an earlier try left it invalid); raises if it ends invalid, so
    that nothing it replaces is dropped."""
    how = _concurrently(schema_editor)
    if _invalid(schema_editor, name):
        schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{name}"')
    where = f" WHERE {where_sql}" if where_sql else ""
    schema_editor.execute(f'CREATE INDEX {how}IF NOT EXISTS "{name}" ON "{table}" ({columns_sql}){where}')
    if _invalid(schema_editor, name):
        raise RuntimeError(f"the index {name} was left invalid; nothing was dropped — run the migration again")


def index_drop(schema_editor, name: str) -> None:
    schema_editor.execute(f'DROP INDEX {_concurrently(schema_editor)}IF EXISTS "{name}"')


def fk_index_make_partial(schema_editor, table: str, column: str, index_name: str) -> None:
    """A foreign key's index replaced by one over the rows where it is set (most rows name
    nobody, and a full index takes an entry for each of them on every insert)."""
    index_create(schema_editor, index_name, table, f'"{column}"', f'"{column}" IS NOT NULL')
    index_drop(schema_editor, fk_index_name(schema_editor, table, column))


def fk_index_make_full(schema_editor, table: str, column: str, index_name: str) -> None:
    """fk_index_make_partial undone."""
    index_create(schema_editor, fk_index_name(schema_editor, table, column), table, f'"{column}"')
    index_drop(schema_editor, index_name)
