
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0012_client_vies_error'),
    ]

    operations = [
        migrations.AlterField(
            model_name='client',
            name='vies_error',
            field=models.CharField(blank=True, db_default='', default='', max_length=50),
        ),
    ]
