"""Why a document charges no VAT and the legal basis of its exemption, recorded at issue (the
accountant's audit: an exempt sale's PDF must name the basis). Fixed once the document is issued like
the rest of it: the immutability triggers of 0003/0004 are made again with both columns among the
fixed ones (on SQLite they are dropped first: it rebuilds the table to add the columns)."""

import importlib

from django.db import migrations, models

REASON = importlib.import_module("clientpanel.invoicing.migrations.0004_document_reason")
FIXED = [*REASON.FIXED, "no_vat_reason", "vat_exemption_basis"]


def _fixed(columns):
    def make(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            REASON._sqlite_drop(apps, schema_editor)
        REASON._make(columns)(apps, schema_editor)
    return make


class Migration(migrations.Migration):

    dependencies = [
        ("invoicing", "0008_payment_method_code"),
    ]

    operations = [
        migrations.RunPython(REASON._sqlite_drop, REASON._sqlite_restore_0004),
        migrations.AddField(
            model_name="document",
            name="no_vat_reason",
            field=models.CharField(blank=True, choices=[("", "Taxed"), ("EXEMPT_CLIENT", "The client is tax-exempt"),
                                                        ("UNTAXED", "No tax rule taxes the sale"),
                                                        ("ZERO_RATED", "Zero-rated"),
                                                        ("REVERSE_CHARGE", "Reverse charge")],
                                   db_default="", default="", max_length=20),
        ),
        migrations.AddField(
            model_name="document",
            name="vat_exemption_basis",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RunPython(_fixed(FIXED), _fixed(REASON.FIXED)),
    ]
