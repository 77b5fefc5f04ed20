"""One index less on each of the tables a CSV import fills: the client's group (client_group_created_idx
starts with it), and on PostgreSQL the varchar_pattern_ops copy Django adds beside the unique index
of the client number — for LIKE 'prefix%' queries, which nothing here makes (the directory searches
the number through search_text's trigram index)."""

import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEX = "clients_client_number_f8bf4026_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON clients_client (number varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0010_client_imports'),
    ]

    operations = [
        migrations.AlterField(
            model_name='client',
            name='group',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='clients.clientgroup'),
        ),
        migrations.RunPython(drop_like_index, create_like_index),
    ]
