"""The import command words its counts for their number: "1 row: 1 to create", never "1 rows"."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("rows", "words"), [(1, "1 row: 1 to create"), (2, "2 rows: 2 to create")])
def test_the_summary_says_row_or_rows(tmp_path, capsys, rows, words):
    path = tmp_path / "clients.csv"
    lines = [f"c{n}@example.com,Anna,Nowak{n},PL" for n in range(rows)]
    path.write_text("\r\n".join(["email,firstname,lastname,country", *lines]) + "\r\n", encoding="utf-8")
    call_command("import_clients", str(path))
    assert words in capsys.readouterr().out
