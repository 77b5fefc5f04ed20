"""Measuring which trigrams most clients' search text holds (clients.selectors.search uses them)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Max

from clientpanel.core.pagination import table_rows_of

from ..models import Client, SearchTrigram
from ..selectors.search import DENSE_PER_MILLE, dense_trigrams_forget

# Below this many clients every search is a few milliseconds of index; nothing is measured.
MEASURE_FROM = 50_000
# About this many clients' search texts are read (a sample of the table's pages).
SAMPLE_ROWS = 5_000
MEASURE_EVERY = dt.timedelta(days=1)


def search_trigrams_measure(*, now: dt.datetime) -> int:
    """Measure the trigrams' shares on a sample of the clients and keep the dense ones — and the
    densest whatever its share, so the time of the measurement is kept too. Answers how many
    dense trigrams there are. PostgreSQL only (elsewhere there is no trigram index)."""
    table = Client._meta.db_table
    percent = min(100.0, 100.0 * SAMPLE_ROWS / max(table_rows_of(Client), 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sample AS (SELECT search_text FROM {table} TABLESAMPLE SYSTEM (%s)) "  # noqa: S608 — our table name
            "SELECT trigram, COUNT(*), (SELECT COUNT(*) FROM sample) FROM sample, "
            "unnest(show_trgm(search_text)) AS trigram GROUP BY trigram ORDER BY 2 DESC, 1", [percent])
        counted = cursor.fetchall()
    kept = [SearchTrigram(trigram=trigram, per_mille=min(1000, count * 1000 // sampled), measured_at=now)
            for position, (trigram, count, sampled) in enumerate(counted)
            if position == 0 or count * 1000 // sampled >= DENSE_PER_MILLE]
    with transaction.atomic():
        SearchTrigram.objects.all().delete()
        SearchTrigram.objects.bulk_create(kept)
    dense_trigrams_forget()
    return sum(1 for row in kept if row.per_mille >= DENSE_PER_MILLE)


def job_measure_search_trigrams(*, now: dt.datetime) -> dict:
    """Measure the search's dense trigrams once a day where there are enough clients for them to
    matter; forget them where there are not."""
    if connection.vendor != "postgresql":
        return {"measured": 0}
    if table_rows_of(Client) < MEASURE_FROM:
        forgotten, _kinds = SearchTrigram.objects.all().delete()
        if forgotten:
            dense_trigrams_forget()
        return {"measured": 0}
    last = SearchTrigram.objects.aggregate(last=Max("measured_at"))["last"]
    if last is not None and now - last < MEASURE_EVERY:
        return {"measured": 0}
    return {"measured": 1, "dense": search_trigrams_measure(now=now)}
