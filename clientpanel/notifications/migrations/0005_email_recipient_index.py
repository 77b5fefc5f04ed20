"""Settings → E-mail log sorts by recipient, read off this index in either direction
(notifications.selectors.EMAIL_SORTS) rather than sorting every message for a page. Built
CONCURRENTLY on PostgreSQL (core/schema.py), writes going on meanwhile; hence non-atomic."""

from django.db import migrations, models

from clientpanel.core.schema import index_create, index_drop

INDEX = "email_recipient_idx"


def forwards(apps, schema_editor):
    index_create(schema_editor, INDEX, "notifications_emailmessage", '"recipient", "id"')


def backwards(apps, schema_editor):
    index_drop(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0004_alter_emailmessage_status"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(model_name="emailmessage",
                                    index=models.Index(fields=["recipient", "id"], name=INDEX)),
            ],
        ),
    ]
