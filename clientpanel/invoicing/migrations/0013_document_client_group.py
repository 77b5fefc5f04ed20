"""Document.client_group_id: the client's group when the sale was made. A nullable column without a
default: on PostgreSQL a change of the catalogue only, whatever the table's size (no rewrite, the
lock held for an instant); 0014 fills in the documents written before."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0012_list_sort_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='client_group_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
