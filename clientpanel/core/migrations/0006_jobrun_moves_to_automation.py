# JobRun moves to the automation app (automation 0001). Only Django's idea of the models changes:
# the table core_jobrun, its rows and its index stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_outbox'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='JobRun')],
            database_operations=[],
        ),
    ]
