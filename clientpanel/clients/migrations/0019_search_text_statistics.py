"""A finer histogram of search_text, so the planner's row estimate for a search word can decide
that a count is not worth reading (clients.selectors.directory, docs/decisions.md)."""

from django.db import migrations


def finer_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # 1,000 histogram bounds: an estimate of 1 % of the clients rests on ten sampled matches.
    schema_editor.execute("ALTER TABLE clients_client ALTER COLUMN search_text SET STATISTICS 1000")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE clients_client ALTER COLUMN search_text SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("clients", "0018_fewer_indexes")]

    operations = [migrations.RunPython(finer_statistics, default_statistics)]
