"""Two things a CSV file of clients can get wrong without a word said before: a header naming one
column twice (the second column's cells were dropped: a mapping names a column by its header) and a
quote never closed (the csv module reads the rest of the file into one cell, and the row got four
field errors that said nothing of the quote). The upload refuses the first, naming the column, in
the panel, the API and the command alike (they share client_import_upload); the second rejects its
row with the quote's own message, naming the lines it swallowed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from clientpanel.clients.imports import client_import_run, client_import_upload
from clientpanel.clients.imports.reading import UnclosedQuote, records
from clientpanel.clients.models import Client, ClientImport
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

GOOD = "a@example.com,Anna,Nowak,PL"


def upload(text: str):
    return client_import_upload(actor=None, file=io.BytesIO(text.encode()), name="clients.csv")


@pytest.mark.parametrize(("header", "named", "places"), [
    ("email,email,firstname,lastname,country", "'email'", "columns 1 and 2"),
    ("email,firstname,lastname,country,Email", "'Email'", "columns 1 and 5"),
    ("email;firstname;lastname;country;firstname", "'firstname'", "columns 2 and 5"),
    ("Tax ID,email,firstname,lastname,country,TAX ID", "'TAX ID'", "columns 1 and 6"),
])
def test_a_header_naming_a_column_twice_is_refused_naming_it(header, named, places):
    delimiter = ";" if ";" in header else ","
    cells = header.split(delimiter)
    row = delimiter.join("x@example.com" if cell.lower() == "email" else "PL" if cell == "country" else "A"
                         for cell in cells)
    with pytest.raises(ValidationFailed) as refused:
        upload(f"{header}\r\n{row}\r\n")
    (message,) = refused.value.fields["file"]
    assert named in message and places in message and "twice" in message
    assert not ClientImport.objects.exists()


def test_columns_without_a_name_are_not_taken_for_the_same_column():
    imported = upload(f"email,firstname,lastname,country,,\r\n{GOOD},,\r\n")
    assert imported.headers[4:] == ["Column 5", "Column 6"]


def test_the_command_refuses_a_repeated_column_with_exit_status_2(tmp_path, capsys):
    path = tmp_path / "clients.csv"
    path.write_text(f"email,firstname,lastname,country,lastname\r\n{GOOD},Kowalska\r\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_clients", str(path))
    assert exit_status.value.code == 2
    assert "'lastname'" in capsys.readouterr().err


def rows_of(text: str) -> list:
    return list(records(io.StringIO(text, newline=""), ","))


@pytest.mark.parametrize("text", [
    'h,i\r\na,"b', 'h,i\r\na,"b\r\n', 'h,i\r\n"a,b\r\nc,d\r\n', 'h,i\r\nx,y\r\na,"b\r\nc,d\r\ne,f',
])
def test_a_record_whose_quote_is_never_closed_is_told_apart(text):
    *before, (line, cells) = rows_of(text)
    assert isinstance(cells, UnclosedQuote) and cells.last_line >= line
    assert not any(isinstance(other, UnclosedQuote) for _line, other in before)


@pytest.mark.parametrize("text", [
    'h,i\r\na,b', 'h,i\r\na,"b"\r\n', 'h,i\r\na,"b\r\nc"\r\n\r\n', 'h,i\r\na,b"c\r\n', 'h,i\r\na,"b""c"\r\n',
])
def test_closed_quotes_and_quotes_inside_cells_are_ordinary_records(text):
    assert not any(isinstance(cells, UnclosedQuote) for _line, cells in rows_of(text))


def test_a_row_with_a_quote_never_closed_is_rejected_with_the_quotes_message():
    text = "\r\n".join(["email,firstname,lastname,country", GOOD, 'b@example.com,"Anna,Nowak,PL',
                        "c@example.com,Ewa,Lis,PL", "d@example.com,Jan,Kot,PL"]) + "\r\n"
    imported = upload(text)
    result = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert result["counts"]["rejected"] == 1 and Client.objects.count() == 0  # all or nothing
    imported.refresh_from_db()
    (error,) = imported.errors
    assert error["line"] == 3
    (message,) = error["messages"]
    assert "never closed" in message and "lines 3 to 5" in message


def test_a_quote_never_closed_on_the_last_line_names_that_line_only():
    imported = upload("email,firstname,lastname,country\r\n" + GOOD + '\r\nb@example.com,Anna,Nowak,"PL')
    result = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert result["counts"]["rejected"] == 1
    imported.refresh_from_db()
    (message,) = imported.errors[0]["messages"]
    assert "never closed" in message and "lines" not in message
