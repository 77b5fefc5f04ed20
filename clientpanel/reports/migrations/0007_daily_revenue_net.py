"""Revenue shows its net and tax beside the gross: DailyRevenue keeps the payments' and credit notes'
net beside their gross (the tax is the difference). The rows written before lack it, so the
rollups are thrown away with their state, as in 0004: the reports add everything up live until the
next roll_up_reports run adds everything up again."""

from django.db import migrations

import clientpanel.core.fields


def forget_rollups(apps, schema_editor):
    for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0006_credit_notes_on_company_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyrevenue",
            name="payments_net",
            field=clientpanel.core.fields.AmountField(default=0),
        ),
        migrations.AddField(
            model_name="dailyrevenue",
            name="refunds_net",
            field=clientpanel.core.fields.AmountField(default=0),
        ),
        migrations.RunPython(forget_rollups, forget_rollups),  # back too: no new-style rollups for old code
    ]
