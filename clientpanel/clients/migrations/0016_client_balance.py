"""The balance and the ledger's counter move from the client's row to a narrow row of their own
(ClientBalance): every ledger post moves them, and on the client's row, with its dozen indexes, each
move wrote into every index. Each client's row is filled from the client's before its columns go,
in one transaction; going back copies them home again."""

import django.db.models.deletion
from django.db import migrations, models

import clientpanel.core.fields

FORWARDS = """
INSERT INTO clients_clientbalance (client_id, currency, balance, ledger_sequence)
SELECT id, currency, balance, ledger_sequence FROM clients_client
"""


def hold_clients(apps, schema_editor) -> None:
    """On PostgreSQL, hold off every write to the clients until this migration commits: a post by
    the release before (still serving during an upgrade) committed after the copy's snapshot would
    otherwise be left behind in the dropped column. Such a post now waits, then fails loudly."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("LOCK TABLE clients_client IN EXCLUSIVE MODE")


BACKWARDS = """
UPDATE clients_client SET
    balance = (SELECT b.balance FROM clients_clientbalance b WHERE b.client_id = clients_client.id),
    ledger_sequence = (SELECT b.ledger_sequence FROM clients_clientbalance b WHERE b.client_id = clients_client.id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0015_einvoice_choice"),
        # It fills the counter this migration moves.
        ("ledger", "0003_backfill_sequence_counters"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientBalance",
            fields=[
                ("client", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                related_name="balance_row", serialize=False,
                                                to="clients.client")),
                ("currency", models.CharField(max_length=3)),
                ("balance", clientpanel.core.fields.AmountField(default=0)),
                ("ledger_sequence", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["currency", "balance", "client"], name="client_balance_sort_idx")],
            },
        ),
        migrations.RunPython(hold_clients, migrations.RunPython.noop),
        migrations.RunSQL(FORWARDS, BACKWARDS),
        migrations.RemoveIndex(model_name="client", name="client_currency_balance_idx"),
        migrations.RemoveField(model_name="client", name="balance"),
        migrations.RemoveField(model_name="client", name="ledger_sequence"),
    ]
