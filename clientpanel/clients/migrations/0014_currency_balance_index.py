"""The directory's balance sort orders by currency, then balance, then id (100 EUR and 100 PLN are
not the same amount), so its index is (currency, balance, id) instead of (balance, id).

On PostgreSQL the new index is built CONCURRENTLY before the old one is dropped the same way: at a
million clients a plain CREATE INDEX would hold off every write to clients_client (payments move
balances) while it builds, and the directory keeps an index to sort by at every moment. Hence a
non-atomic migration; elsewhere (SQLite) the schema editor's own statements."""

from django.db import migrations, models

NEW = models.Index(fields=["currency", "balance", "id"], name="client_currency_balance_idx")
OLD = models.Index(fields=["balance", "id"], name="client_balance_idx")


def _swap(apps, schema_editor, *, add: models.Index, drop: models.Index) -> None:
    client = apps.get_model("clients", "Client")
    if schema_editor.connection.vendor == "postgresql":
        columns = ", ".join(f'"{client._meta.get_field(name).column}"' for name in add.fields)
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{add.name}" '
                              f'ON "{client._meta.db_table}" ({columns})')
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{drop.name}"')
    else:
        schema_editor.add_index(client, add)
        schema_editor.remove_index(client, drop)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, add=NEW, drop=OLD)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, add=OLD, drop=NEW)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("clients", "0013_vies_error_db_default"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(model_name="client", index=NEW),
                migrations.RemoveIndex(model_name="client", name=OLD.name),
            ],
        ),
    ]
