# JobRun, moved from core (core 0006): the model enters this app's state over the table core 0003
# made, which keeps its name, rows and index; nothing is created or dropped. Its content type moves
# with it, so what refers to it (permissions, admin log entries) follows.

from django.db import migrations, models


def move_content_type(apps, schema_editor, source='core', target='automation'):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model='jobrun').exists():
        ContentType.objects.using(db).filter(app_label=source, model='jobrun').update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source='automation', target='core')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0006_jobrun_moves_to_automation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='JobRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60)),
                        ('trigger', models.CharField(max_length=20)),
                        ('started_at', models.DateTimeField()),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('duration_ms', models.PositiveIntegerField(default=0)),
                        ('counts', models.JSONField(default=dict)),
                        ('error', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'core_jobrun',
                        'ordering': ['-started_at', '-id'],
                        'indexes': [models.Index(fields=['name', '-started_at'], name='job_run_name_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
