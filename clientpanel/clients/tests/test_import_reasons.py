"""What a CSV import says of its rejected rows reads as its staff member reads the panel: in its
language — the check and the commit run as a background task, where no request chose one (a Polish
staff member read 'This line has 9 fields…', 'Enter a valid email address' in English) — and in the
file's order (a line with too many fields was listed before the lines above it)."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.clients.imports import client_import_run, client_import_upload, rejected_rows_open

pytestmark = pytest.mark.django_db

FILE = (b"email,firstname,lastname,country\r\n"
        b"a@example.com,Anna,Nowak,PL\r\n"
        b"not-an-address,Ewa,Kowal,PL\r\n"
        b"b@example.com,Tom,Smith,US,extra,field\r\n"
        b"c@example.com,,Lee,GB\r\n")


def _checked(staff, language: str):
    User.objects.filter(pk=staff.pk).update(language=language)
    staff.refresh_from_db()
    imported = client_import_upload(actor=staff, file=io.BytesIO(FILE), name="clients.csv")
    with translation.override(None):  # as in a background task: no request's language
        client_import_run(actor=staff, import_id=imported.pk, commit=False)
    imported.refresh_from_db()
    return imported


def test_rejected_rows_are_said_in_the_staff_members_language_in_the_files_order(staff):
    imported = _checked(staff, "pl")
    assert [error["line"] for error in imported.errors] == [3, 4, 5]
    said = " ".join(message for error in imported.errors for message in error["messages"])
    assert "Liczba pól w tym wierszu: 6, w nagłówku: 4" in said and "Pole „Imię” jest wymagane" in said
    assert "email" in said and "Enter a valid" not in said and "is required" not in said
    assert [row["line"] for row in imported.preview] == [2, 3, 4, 5]
    with rejected_rows_open(imported) as rejected:
        text = rejected.read().decode("utf-8-sig")
    assert text.index("not-an-address") < text.index("b@example.com") < text.index("c@example.com")
    assert "Enter a valid" not in text


def test_an_english_staff_member_reads_them_in_english(staff):
    imported = _checked(staff, "en")
    said = " ".join(message for error in imported.errors for message in error["messages"])
    assert "This line has 6 fields; the header has 4" in said and "First name is required." in said
