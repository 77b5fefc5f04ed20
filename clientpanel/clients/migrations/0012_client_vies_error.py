from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0011_fewer_indexes")]

    operations = [
        migrations.AddField(model_name="client", name="vies_error",
                            field=models.CharField(blank=True, default="", max_length=50)),
    ]
