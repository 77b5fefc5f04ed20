"""A ledger entry's client needs no index of its own beside the unique (client, sequence): one
index fewer to write for every post."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0015_einvoice_choice'),
        ('ledger', '0006_impersonator'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='client',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='clients.client'),
        ),
    ]
