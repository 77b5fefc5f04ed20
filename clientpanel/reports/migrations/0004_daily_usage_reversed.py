"""Usage by product nets what credit notes gave back (reports/reversals.py): DailyUsage keeps the
charge reversals of each day beside its charges. The rollups written before lack them, so they are
thrown away with their state: until the roll_up_reports job runs again (every automation pass) the
reports add everything up live, and that run adds everything up again from the start — the same as
`manage.py rebuild_report_rollups`. The figures are right at every moment."""

from django.db import migrations

import clientpanel.core.fields


def forget_rollups(apps, schema_editor):
    for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_written_since_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyusage",
            name="reversed",
            field=clientpanel.core.fields.AmountField(default=0),
        ),
        migrations.RunPython(forget_rollups, migrations.RunPython.noop),
    ]
