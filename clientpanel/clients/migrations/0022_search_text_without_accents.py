"""The directory's search column is stored without accents (core.text.search_folded), as searches
now fold their words: "wojcik" finds Wójcik. Rows written before are folded here, in batches, and
only those with a character outside ASCII (the others fold to themselves). Safe to run again."""

from django.db import migrations

BATCH = 2000


def fold_stored_search_text(apps, schema_editor):
    from clientpanel.core.text import search_folded

    Client = apps.get_model("clients", "Client")
    rows = Client.objects.filter(search_text__regex=r"[^\x00-\x7f]").order_by("pk").values_list("pk", "search_text")
    last = None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
        if not batch:
            return
        changed = [Client(pk=pk, search_text=search_folded(text)) for pk, text in batch if search_folded(text) != text]
        Client.objects.bulk_update(changed, ["search_text"])
        last = batch[-1][0]


class Migration(migrations.Migration):
    atomic = False  # each batch commits: a million clients are not folded in one transaction

    dependencies = [("clients", "0021_time_ordered_ids")]

    operations = [migrations.RunPython(fold_stored_search_text, migrations.RunPython.noop, elidable=True)]
