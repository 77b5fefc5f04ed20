"""An issued document's client group (Document.client_group_id, 0013) is fixed like the rest of it:
an UPDATE that moved an issued sale to another group (or took its group away, so that it read its
client's present one) is refused. Unlike the columns of 0003/0004/0009 it may be set once on an
issued document — NULL to a value —, since the documents written before it was recorded are filled
in afterwards (0014, re-run after a rolling upgrade). The immutability triggers of 0009 are made
again with that condition beside the fixed columns (on SQLite they are dropped first: CREATE TRIGGER
IF NOT EXISTS would keep the old one)."""

import importlib

from django.db import migrations

IMMUTABLE = importlib.import_module("clientpanel.invoicing.migrations.0003_issued_documents_immutable")
REASON = importlib.import_module("clientpanel.invoicing.migrations.0004_document_reason")
NO_VAT = importlib.import_module("clientpanel.invoicing.migrations.0009_document_no_vat_reason")

# The related document's condition, as 0003 wrote it; the group's is added after it.
PG_RELATED = "OR (OLD.related_id IS NOT NULL AND NEW.related_id IS DISTINCT FROM OLD.related_id)"
SQLITE_RELATED = "OR (OLD.related_id IS NOT NULL AND NEW.related_id IS NOT OLD.related_id)"
PG_GROUP = "OR (OLD.client_group_id IS NOT NULL AND NEW.client_group_id IS DISTINCT FROM OLD.client_group_id)"
SQLITE_GROUP = "OR (OLD.client_group_id IS NOT NULL AND NEW.client_group_id IS NOT OLD.client_group_id)"


def _statements(with_group: bool) -> tuple[str, list[str]]:
    pg, sqlite = REASON._statements(NO_VAT.FIXED)
    if not with_group:
        return pg, sqlite
    if PG_RELATED not in pg or SQLITE_RELATED not in sqlite[0]:
        raise RuntimeError("0003's trigger text changed: the client group's condition has no place")
    return (pg.replace(PG_RELATED, f"{PG_RELATED}\n            {PG_GROUP}"),
            [s.replace(SQLITE_RELATED, f"{SQLITE_RELATED}\n        {SQLITE_GROUP}") for s in sqlite])


def _make(with_group: bool):
    def make(apps, schema_editor):
        pg, sqlite = _statements(with_group)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg, params=None)  # CREATE OR REPLACE, then the triggers dropped and made
        elif vendor == "sqlite":
            REASON._sqlite_drop(apps, schema_editor)
            for statement in sqlite:
                schema_editor.execute(statement, params=None)
    return make


class Migration(migrations.Migration):

    dependencies = [
        ("invoicing", "0014_document_client_group_backfill"),
    ]

    operations = [migrations.RunPython(_make(True), _make(False))]
