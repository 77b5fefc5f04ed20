"""When a service's module step began, so that one whose worker died turns into an error."""

from django.db import migrations, models
from django.utils import timezone


def stamp_steps_in_progress(apps, schema_editor):
    """A step in progress before this field existed counts from now: the job ends it if it never answers."""
    Service = apps.get_model("services", "Service")
    Service.objects.filter(provision_status="IN_PROGRESS", provision_started_at=None).update(
        provision_started_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0003_billing_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='service',
            name='provision_started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(stamp_steps_in_progress, migrations.RunPython.noop),
    ]
