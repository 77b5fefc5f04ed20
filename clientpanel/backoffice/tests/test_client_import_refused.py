"""An all-or-nothing import refused for its rejected rows tells the staff member to tick "Import the
valid rows" — which is on the import's preview: its result page leads there (it offered only the
directory and another upload, a dead end for that advice), and the preview commits it again."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientpanel.clients.models import Client, ClientImport, ClientImportStatus

pytestmark = pytest.mark.django_db

FILE = ("email,firstname,lastname,country\r\n"
        "anna@example.com,Anna,Nowak,PL\r\n"
        "bad-address,Bob,Smith,US\r\n")


def test_a_refused_import_leads_back_to_its_preview_where_the_valid_rows_can_go_in(
        staff_client, django_capture_on_commit_callbacks):
    staff_client.post(reverse("backoffice:client-import"),
                      {"file": SimpleUploadedFile("clients.csv", FILE.encode(), content_type="text/csv")})
    imported = ClientImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("backoffice:client-import-map", args=[imported.pk]),
                          {f"column_{i}": field for i, field in enumerate(imported.columns)})
    with django_capture_on_commit_callbacks(execute=True):
        committed = staff_client.post(reverse("backoffice:client-import-commit", args=[imported.pk]),
                                      {"on_existing": "skip"})
    result = staff_client.get(committed["Location"]).content.decode()
    assert "Nothing was imported" in result and ClientImport.objects.get().status == ClientImportStatus.REFUSED
    preview_url = reverse("backoffice:client-import-preview", args=[imported.pk])
    assert f'id="import-back-to-preview" href="{preview_url}"' in result
    preview = staff_client.get(preview_url).content.decode()
    assert 'name="valid_only"' in preview
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("backoffice:client-import-commit", args=[imported.pk]),
                          {"on_existing": "skip", "valid_only": "on"})
    assert Client.objects.count() == 1
