"""core/schema.py, the index changes migrations make by name: a concurrent build that failed leaves
an invalid index behind, which the next try replaces instead of keeping (IF NOT EXISTS would), and
nothing is dropped while the new index is not valid."""

import pytest
from django.db import connection

from clientpanel.core.schema import index_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="CONCURRENTLY and invalid indexes are PostgreSQL's"),
]


def _valid(name: str) -> bool | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE c.relname = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def test_an_index_a_failed_build_left_invalid_is_built_again():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE schema_probe (value integer)")
        try:
            cursor.execute("INSERT INTO schema_probe VALUES (1), (1)")
            with pytest.raises(Exception, match=r"duplicate|could not create unique index"):
                cursor.execute("CREATE UNIQUE INDEX CONCURRENTLY schema_probe_idx ON schema_probe (value)")
            assert _valid("schema_probe_idx") is False  # what a failed concurrent build leaves
            with connection.schema_editor(atomic=False) as editor:
                index_create(editor, "schema_probe_idx", "schema_probe", '"value"')
            assert _valid("schema_probe_idx") is True
        finally:
            cursor.execute("DROP TABLE schema_probe")
