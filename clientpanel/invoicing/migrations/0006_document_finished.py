"""Whether an issued document's finishing step (its PDF stored, DocumentIssued published) has run
(services/common.py issuing). Documents issued before it was split off were finished in their
issuing transaction, and so are those a process of the release before writes during the upgrade:
the column's database default says so (new documents are written with False and finished after
their commit). SQLite rebuilds the table to add the column and refuses to
while the immutability triggers name it, so they are dropped first and made again (as in 0004)."""

import importlib

from django.db import migrations, models

REASON = importlib.import_module("clientpanel.invoicing.migrations.0004_document_reason")


class Migration(migrations.Migration):

    dependencies = [
        ("invoicing", "0005_unpaid_due_index"),
    ]

    operations = [
        migrations.RunPython(REASON._sqlite_drop, REASON._sqlite_restore_0004),
        migrations.AddField(
            model_name="document",
            name="finished",
            field=models.BooleanField(db_default=True, default=False),
        ),
        migrations.RunPython(REASON._sqlite_restore_0004, REASON._sqlite_drop),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(condition=models.Q(("finished", False), ("number__isnull", False)),
                               fields=["created_at"], name="document_unfinished_idx"),
        ),
    ]
