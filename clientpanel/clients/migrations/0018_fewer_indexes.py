"""Three indexes fewer on the client tables, each written on every client created (a CSV import of
100,000 clients wrote 300,000 entries into them):

- an address's and an owner link's client_id index: address_client_type_idx and client_user_unique
  start with client_id and serve the same look-ups;
- the pinned home company's index, now only over the clients that pin one (most pin none).

Built and dropped CONCURRENTLY on PostgreSQL (core/schema.py), hence non-atomic."""

import django.db.models.deletion
from django.db import migrations, models

from clientpanel.core.schema import fk_index_make_full, fk_index_make_partial, fk_index_name, index_create, index_drop

# Indexes another index serves: (table, column); it starts with that column.
COVERED = [("clients_address", "client_id"), ("clients_clientuser", "client_id")]
PARTIAL = ("clients_client", "home_company_id", "client_home_company_idx")


def forwards(apps, schema_editor):
    for table, column in COVERED:
        index_drop(schema_editor, fk_index_name(schema_editor, table, column))
    fk_index_make_partial(schema_editor, *PARTIAL)


def backwards(apps, schema_editor):
    for table, column in COVERED:
        index_create(schema_editor, fk_index_name(schema_editor, table, column), table, f'"{column}"')
    fk_index_make_full(schema_editor, *PARTIAL)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("clients", "0017_balance_currency_iso"),
        ("tax", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="address", name="client",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="addresses", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="clientuser", name="client",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="user_links", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="client", name="home_company",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name="pinned_clients", to="tax.homecompany"),
                ),
                migrations.AddIndex(
                    model_name="client",
                    index=models.Index(condition=models.Q(("home_company__isnull", False)), fields=["home_company"],
                                       name="client_home_company_idx"),
                ),
            ],
        ),
    ]
