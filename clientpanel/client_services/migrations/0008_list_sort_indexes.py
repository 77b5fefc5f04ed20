"""Clients → Services sorts by order date, activation date and price (currency first), each read off
its own index in either direction (client_services.selectors.SERVICE_SORTS) rather than sorting every
service for a page. None holds billed_until, so charging a period stays a HOT update (migration 0003).
Built CONCURRENTLY on PostgreSQL (core/schema.py), writes going on meanwhile; hence non-atomic."""

from django.db import migrations, models

from clientpanel.core.schema import index_create, index_drop

TABLE = "services_service"
INDEXES = [
    ("service_order_date_idx", ["order_date", "id"]),
    ("service_activation_idx", ["activation_date", "id"]),
    ("service_price_idx", ["currency", "amount", "id"]),
]


def forwards(apps, schema_editor):
    for name, columns in INDEXES:
        index_create(schema_editor, name, TABLE, ", ".join(f'"{column}"' for column in columns))


def backwards(apps, schema_editor):
    for name, _columns in INDEXES:
        index_drop(schema_editor, name)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("services", "0007_billing_anchor_day"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(model_name="service", index=models.Index(fields=columns, name=name))
                for name, columns in INDEXES
            ],
        ),
    ]
