"""An audit event's impersonator is indexed only where set (Login as Owner): almost every event has
none, and the full index took an entry for each. Built CONCURRENTLY on PostgreSQL (core/schema.py):
the audit table is the largest there is, and writes go on meanwhile; hence non-atomic."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from clientpanel.core.schema import fk_index_make_full, fk_index_make_partial

PARTIAL = ("audit_auditevent", "impersonator_id", "audit_impersonator_idx")


def forwards(apps, schema_editor):
    fk_index_make_partial(schema_editor, *PARTIAL)


def backwards(apps, schema_editor):
    fk_index_make_full(schema_editor, *PARTIAL)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0003_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent", name="impersonator",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                            to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(condition=models.Q(("impersonator__isnull", False)), fields=["impersonator"],
                                       name="audit_impersonator_idx"),
                ),
            ],
        ),
    ]
