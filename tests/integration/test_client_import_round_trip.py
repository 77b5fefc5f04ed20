"""The CSV import takes back what the CSV export gives (issue 13): our export, in any language of
the panel, imports into an empty database as the same clients."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.clients.imports import client_import_run, client_import_upload, guess_columns
from clientpanel.clients.models import Client, ClientGroup, ClientImport
from clientpanel.core.csv_export import csv_rows
from clientpanel.ui.exports import CLIENT_COLUMNS, header, rows

pytestmark = pytest.mark.django_db


def export_of_every_client() -> bytes:
    clients = Client.objects.select_related("owner", "group").order_by("number")
    return b"".join(csv_rows(header(CLIENT_COLUMNS), rows(CLIENT_COLUMNS, clients)))


def cells(content: bytes) -> list[list[str]]:
    """The export's cells, "Created" (the last column) aside: a re-import is created anew."""
    return [line[:-1] for line in csv.reader(io.StringIO(content.decode("utf-8-sig")))]


@pytest.mark.parametrize("language", ["en", "pl"])
def test_our_export_imports_into_an_empty_database_as_the_same_clients(make_client, language):
    group = ClientGroup.objects.create(name="VIP")
    make_client(email="a@example.com", company_name="=Acme", tax_id="5260250995", phone="+48221234567",
                status="ACTIVE", credit_limit="10.50", group=group.pk)
    make_client(email="b@example.com", firstname="Zoë", lastname="Ünal", currency="EUR", status="CLOSED",
                billing_address={"country": "DE", "region": ""})
    make_client(email="c@example.com", company_name="-minus", status="FRAUD", currency="PLN",
                billing_address={"country": "US", "region": "", "city": "+City"})
    with translation.override(language):
        content = export_of_every_client()
        before = cells(content)
    # An empty database (groups are settings: they stay, the file names them).
    Client.objects.all().delete()
    User.objects.filter(is_staff=False).delete()
    imported = client_import_upload(actor=None, file=io.BytesIO(content), name="clients.csv")
    assert imported.columns[:6] == ["number", "", "company_name", "firstname", "lastname", "email"]
    result = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert result["counts"]["created"] == 3, ClientImport.objects.get().errors
    with translation.override(language):
        assert cells(export_of_every_client()) == before
    again = Client.objects.get(owner__email="a@example.com")
    assert (again.company_name, again.credit_limit, again.group) == ("=Acme", Decimal("10.5"), group)
    assert Client.objects.get(owner__email="c@example.com").billing_city == "+City"


def test_our_polish_export_headers_are_guessed():
    with translation.override("pl"):
        polish = header(CLIENT_COLUMNS)
    assert guess_columns(polish)[:6] == ["number", "", "company_name", "firstname", "lastname", "email"]
