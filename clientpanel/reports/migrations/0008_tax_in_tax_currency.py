"""The tax report shows tax and net in the seller's tax currency (PLN for a Polish company's
invoices in other currencies): DailyTax keeps them beside the document currency's figures, with the
tax currency in its key and how many documents had no exchange rate yet; UnconvertedTaxDocument
keeps those documents until their rate comes. The rollups written before lack all this, so they are
thrown away with their state, as in 0004: the reports add everything up live until the next
roll_up_reports run adds everything up again."""

import clientpanel.core.fields
from django.db import migrations, models


def forget_rollups(apps, schema_editor):
    for name in ("DailyRevenue", "DailyTax", "DailyUsage", "RollupState"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0007_daily_revenue_net'),
    ]

    operations = [
        migrations.RunPython(forget_rollups, migrations.RunPython.noop),
        migrations.CreateModel(
            name='UnconvertedTaxDocument',
            fields=[
                ('document_id', models.UUIDField(primary_key=True, serialize=False)),
                ('day', models.DateField(db_index=True)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='dailytax',
            name='daily_tax_unique',
        ),
        migrations.AddField(
            model_name='dailytax',
            name='net_in_tax_currency',
            field=clientpanel.core.fields.AmountField(default=0),
        ),
        migrations.AddField(
            model_name='dailytax',
            name='tax_currency',
            field=models.CharField(blank=True, default='', max_length=3),
        ),
        migrations.AddField(
            model_name='dailytax',
            name='tax_in_tax_currency',
            field=clientpanel.core.fields.AmountField(default=0),
        ),
        migrations.AddField(
            model_name='dailytax',
            name='unconverted',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='dailytax',
            constraint=models.UniqueConstraint(fields=('day', 'company_id', 'group_id', 'currency', 'country', 'kind', 'name', 'rate', 'tax_currency'), name='daily_tax_unique'),
        ),
        # Going back the rollups are forgotten first (this runs before the columns and the new
        # constraint go): rows differing only by tax currency would break the old unique key, and
        # old code must not read new-style rollups.
        migrations.RunPython(migrations.RunPython.noop, forget_rollups),
    ]
