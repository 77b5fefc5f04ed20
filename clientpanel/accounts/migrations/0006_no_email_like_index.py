"""On PostgreSQL, the varchar_pattern_ops copy Django adds beside the unique index of the user's e-mail
(for LIKE 'prefix%' queries, which nothing here makes: e-mail addresses are looked up whole, and
searched through the clients' search_text): one index less to keep up when a CSV import adds
100,000 owners."""

from django.db import migrations

LIKE_INDEX = "accounts_user_email_b2644a56_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON accounts_user (email varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_user_self_registered"),
    ]

    operations = [
        migrations.RunPython(drop_like_index, create_like_index),
    ]
