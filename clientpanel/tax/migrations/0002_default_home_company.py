"""A fresh install has one default home company for staff to complete (SPEC §6)."""

from django.db import migrations


def create_default(apps, schema_editor):
    HomeCompany = apps.get_model("tax", "HomeCompany")
    if not HomeCompany.objects.exists():
        HomeCompany.objects.create(name="My Company", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("tax", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
