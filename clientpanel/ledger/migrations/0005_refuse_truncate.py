"""On PostgreSQL TRUNCATE skips row triggers, so the append-only ledger also refuses TRUNCATE,
unless a session says on purpose that it wipes the database (SET LOCAL clientpanel.allow_truncate = on)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clientpanel_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('clientpanel.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% keeps money records: TRUNCATE is refused (SET LOCAL clientpanel.allow_truncate = on to wipe a database on purpose)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_ledgerentry;
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION clientpanel_refuse_truncate();
"""
DROP = "DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_ledgerentry;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_drop_unused_indexes")]

    operations = [migrations.RunPython(create, drop)]
