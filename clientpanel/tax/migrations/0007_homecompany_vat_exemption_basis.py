"""The legal basis of a home company's VAT exemption moves onto the company (it was the e-invoice
profile's, einvoices 0007 carries the text over): every document without VAT records it at issue and
prints it, whether or not the company writes e-invoices."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tax", "0006_home_company_logo"),
    ]

    operations = [
        migrations.AddField(
            model_name="homecompany",
            name="vat_exemption_basis",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
