"""A credit note is taken off revenue on the day its company dated it (the zone kept on the note, as
its number, its PDF and the tax report read it), no longer the server's day: the DailyRevenue rows
written before put credit notes on the server's days, so the rollups are thrown away with their
state, as in 0005 — the reports add everything up live until the next roll_up_reports run adds
everything up again."""

from django.db import migrations


def forget_rollups(apps, schema_editor):
    for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_payments_on_company_days"),
    ]

    operations = [
        migrations.RunPython(forget_rollups, forget_rollups),  # back too: no new-style rollups for old code
    ]
