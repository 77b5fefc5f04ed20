"""The billing pass walks active services in client order, and charging a period moves only
billed_until, which is now in no index; on PostgreSQL the table keeps 15 % of each page free so that
update stays on its page (a HOT update: no index touched). A charge's service needs no index of its
own beside the unique (service, kind, period_start)."""

import django.db.models.deletion
from django.db import migrations, models


def _fillfactor(percent: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE services_service SET (fillfactor = {percent})")
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_price_retired_product_derive_prices_exchangerate'),
        ('clients', '0015_einvoice_choice'),
        ('services', '0002_service_funds_override'),
    ]

    operations = [
        migrations.RunPython(_fillfactor(85), _fillfactor(100)),
        migrations.RemoveIndex(
            model_name='service',
            name='service_due_idx',
        ),
        migrations.AlterField(
            model_name='servicecharge',
            name='service',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='charges', to='services.service'),
        ),
        migrations.AddIndex(
            model_name='service',
            index=models.Index(condition=models.Q(('status', 'ACTIVE')), fields=['client', 'id'], name='service_active_client_idx'),
        ),
    ]
