"""Clients whose entries were posted before the per-client sequence counter existed get it set."""

from django.db import migrations

SQL = """
UPDATE clients_client SET ledger_sequence = COALESCE(
    (SELECT MAX(sequence) FROM ledger_ledgerentry WHERE ledger_ledgerentry.client_id = clients_client.id), 0)
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_trigger"), ("clients", "0006_ledger_sequence_counter")]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
