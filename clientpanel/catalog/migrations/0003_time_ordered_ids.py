"""Rows get time-ordered ids (core.ids.new_id, UUID version 7): the default is Python's only, so
the tables do not change (on SQLite an AlterField would rebuild them)."""

import clientpanel.core.ids
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_price_retired_product_derive_prices_exchangerate'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='product',
                name='id',
                field=models.UUIDField(default=clientpanel.core.ids.new_id, editable=False, primary_key=True, serialize=False),
            ),
        ]),
    ]
