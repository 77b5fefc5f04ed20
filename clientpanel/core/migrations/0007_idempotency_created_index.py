"""The purge job's look-up of old idempotency keys by time (core.idempotency). The API's keys were
never purged before, so the table may be large: built CONCURRENTLY on PostgreSQL (core/schema.py),
writes going on meanwhile; hence non-atomic."""

from django.db import migrations, models

from clientpanel.core.schema import index_create, index_drop

INDEX = "idempotency_created_idx"


def forwards(apps, schema_editor):
    index_create(schema_editor, INDEX, "core_idempotencyrecord", '"created_at"')


def backwards(apps, schema_editor):
    index_drop(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("core", "0006_jobrun_moves_to_automation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(
                    model_name="idempotencyrecord",
                    index=models.Index(fields=["created_at"], name=INDEX),
                ),
            ],
        ),
    ]
