"""The documents written before Document.client_group_id was recorded get their client's present
group (NO_CLIENT_GROUP, 0, for none): the best that is known of them — which group a client was in
at an old sale was never kept. The report rollups already made keep the groups they found at the
time (docs/decisions.md, "Sales keep their client group").

There are millions of documents, so this is not one UPDATE over the table (a single transaction
holding every row's lock and writing every row's new version before it commits): the documents still
without a group are updated BATCH at a time in primary-key order (time ordered), each batch in a
short transaction of its own — the migration is not atomic. A run that stops leaves the documents
done so far done, and running it again (it is idempotent: only NULL rows are read) carries on.
Re-running it after a rolling upgrade (`migrate invoicing 0013 && migrate invoicing`) fills in the
documents the old release wrote meanwhile; until then they read their client's present group too."""

from django.db import migrations, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

BATCH = 5000
NO_CLIENT_GROUP = 0


def backfill(apps, schema_editor) -> None:
    document = apps.get_model("invoicing", "Document")
    client = apps.get_model("clients", "Client")
    alias = schema_editor.connection.alias
    group = Coalesce(Subquery(client.objects.using(alias).filter(pk=OuterRef("client_id")).values("group_id")[:1]),
                     Value(NO_CLIENT_GROUP))
    pending = document.objects.using(alias).filter(client_group_id__isnull=True)
    last = None
    while True:
        batch = pending if last is None else pending.filter(pk__gt=last)
        ids = list(batch.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        # A range, not the ids: no bound parameter per document.
        with transaction.atomic(using=alias):
            pending.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(client_group_id=group)
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("invoicing", "0013_document_client_group"),
        ("clients", "0021_time_ordered_ids"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
