"""The table of Django's database cache, which holds the login and 2FA throttle counts when
REDIS_URL is not set (config/settings/base.py: CACHES). Made by `migrate`, so a fresh install needs
no `createcachetable`; the columns are the ones `createcachetable` makes."""

from django.db import migrations, models

TABLE = "clientpanel_cache"  # settings.CACHE_TABLE; a migration keeps its own copy of the name


def create_cache_table(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        return  # made earlier by `createcachetable`
    quote = connection.ops.quote_name
    key = models.CharField(name="cache_key", max_length=255, primary_key=True)
    value = models.TextField(name="value")
    expires = models.DateTimeField(name="expires")
    schema_editor.execute(
        f"CREATE TABLE {quote(TABLE)} ("
        f"{quote('cache_key')} {key.db_type(connection)} NOT NULL PRIMARY KEY, "
        f"{quote('value')} {value.db_type(connection)} NOT NULL, "
        f"{quote('expires')} {expires.db_type(connection)} NOT NULL)"
    )
    schema_editor.execute(f"CREATE INDEX {quote(TABLE + '_expires')} ON {quote(TABLE)} ({quote('expires')})")


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.connection.ops.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_jobrun"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
