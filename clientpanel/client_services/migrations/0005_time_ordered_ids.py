"""Rows get time-ordered ids (core.ids.new_id, UUID version 7): the default is Python's only, so
the tables do not change (on SQLite an AlterField would rebuild them)."""

import clientpanel.core.ids
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0004_provision_started_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='service',
                name='id',
                field=models.UUIDField(default=clientpanel.core.ids.new_id, editable=False, primary_key=True, serialize=False),
            ),
        ]),
    ]
