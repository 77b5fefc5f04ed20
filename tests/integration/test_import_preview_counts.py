"""The import preview's tiles word each count for its number (ngettext): "1 row", "2 rows",
"1 new client" — a fixed label read "1 rows" in English and "0 nowi klienci" in Polish, whose
catalog has four plural forms."""

from __future__ import annotations

import io
import re

import pytest

from clientpanel.clients.imports import client_import_upload
from clientpanel.clients.models import ClientImport, ClientImportStatus

pytestmark = pytest.mark.django_db

FILE = b"email,firstname,lastname,country\r\na@example.com,Anna,Nowak,PL\r\n"


def tiles(staff_client, staff, **counts) -> list[tuple[str, str]]:
    imported = client_import_upload(actor=staff, file=io.BytesIO(FILE), name="clients.csv")
    ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.CHECKED, counts=counts)
    response = staff_client.get(f"/staff/clients/import/{imported.pk}/preview/")
    assert response.status_code == 200
    found = re.findall(r'<div class="fs-4[^"]*">(\d+)</div><div class="small text-secondary">([^<]+)</div>',
                       response.content.decode())
    return [(number, label.strip()) for number, label in found]


def test_one_of_each_is_worded_in_the_singular(staff_client, staff):
    assert tiles(staff_client, staff, rows=1, created=1, updated=1, skipped=1, rejected=1) == [
        ("1", "row"), ("1", "new client"), ("1", "client to update"), ("1", "existing client, skipped"),
        ("1", "rejected row")]


@pytest.mark.parametrize("count", [0, 2, 5, 22])
def test_other_counts_are_worded_in_the_plural(staff_client, staff, count):
    assert tiles(staff_client, staff, rows=count, created=count, updated=count, skipped=count, rejected=count) == [
        (str(count), "rows"), (str(count), "new clients"), (str(count), "clients to update"),
        (str(count), "existing clients, skipped"), (str(count), "rejected rows")]
