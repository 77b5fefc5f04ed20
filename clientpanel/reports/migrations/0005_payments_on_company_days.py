"""A payment falls on the day of its home company's zone (reports/zones.py), no longer the server's:
the DailyRevenue rows written before put payments on the server's days, so the rollups are thrown
away with their state. Until the roll_up_reports job runs again (every automation pass) the reports
add everything up live, and that run adds everything up again from the start — the same as
`manage.py rebuild_report_rollups`. The figures are right at every moment."""

from django.db import migrations


def forget_rollups(apps, schema_editor):
    for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_daily_usage_reversed"),
    ]

    operations = [
        migrations.RunPython(forget_rollups, forget_rollups),  # back too: no new-style rollups for old code
    ]
