"""Clients → Import through the staff panel: upload → map → preview → commit → task page → result →
rejected CSV, the refusals a person meets on the way, who may use it, and CSRF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.automation.models import BackgroundTask
from clientpanel.clients.models import Client, ClientImport, ClientImportMapping, ClientImportStatus

pytestmark = pytest.mark.django_db

HEADER = "E-mail Address,First Name,Last Name,Company Name,VAT Number,Country,Notes"


def csv_file(*lines: str, header: str = HEADER, name: str = "clients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join([header, *lines]) + "\r\n").encode(), content_type="text/csv")


GOOD = ["anna@example.com,Anna,Nowak,Nowak sp. z o.o.,5260250995,PL,vip",
        "bob@example.com,Bob,Smith,,,US,"]
BAD = "carl@example.com,Carl,Jones,,5260250996,PL,"


def upload(browser, *lines, **kwargs):
    return browser.post(reverse("backoffice:client-import"), {"file": csv_file(*lines, **kwargs)})


def map_and_check(browser, imported, callbacks, columns=None):
    columns = columns if columns is not None else imported.columns
    data = {f"column_{i}": field for i, field in enumerate(columns)}
    with callbacks(execute=True):
        return browser.post(reverse("backoffice:client-import-map", args=[imported.pk]), data)


def test_the_wizard_from_upload_to_the_result_and_the_rejected_rows(staff_client, django_capture_on_commit_callbacks):
    list_page = staff_client.get(reverse("backoffice:client-list"))
    assert reverse("backoffice:client-import").encode() in list_page.content
    form = staff_client.get(reverse("backoffice:client-import"))
    assert form.status_code == 200 and b'type="file"' in form.content

    uploaded = upload(staff_client, *GOOD, BAD)
    imported = ClientImport.objects.get()
    assert uploaded.status_code == 302 and uploaded["Location"] == reverse("backoffice:client-import-map",
                                                                           args=[imported.pk])
    mapping = staff_client.get(uploaded["Location"])
    assert mapping.status_code == 200
    # The WHMCS-like headers were guessed; Notes is not a field of ours.
    assert imported.columns == ["email", "firstname", "lastname", "company_name", "tax_id", "country", ""]
    assert b"anna@example.com" in mapping.content  # the first rows beside their columns

    checked = map_and_check(staff_client, imported, django_capture_on_commit_callbacks)
    assert checked["Location"] == reverse("backoffice:client-import-preview", args=[imported.pk])
    preview = staff_client.get(checked["Location"])
    text = preview.content.decode()
    assert "Line 4" in text and "check digit" in text and "Nowak sp. z o.o." in text
    assert ClientImport.objects.get().status == ClientImportStatus.CHECKED and Client.objects.count() == 0

    rejected = staff_client.get(reverse("backoffice:client-import-rejected", args=[imported.pk]))
    assert rejected.status_code == 200 and rejected["Content-Type"].startswith("text/csv")
    assert "attachment" in rejected["Content-Disposition"] and "clients-rejected.csv" in rejected["Content-Disposition"]
    content = b"".join(rejected.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].endswith(",Errors") and "carl@example.com" in content

    # All or nothing (the default): the commit writes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        committed = staff_client.post(reverse("backoffice:client-import-commit", args=[imported.pk]),
                                      {"on_existing": "skip"})
    task = BackgroundTask.objects.get(pk=ClientImport.objects.get().task_id)
    assert committed["Location"] == reverse("backoffice:background-task", args=[task.pk])
    page = staff_client.get(committed["Location"])
    assert page.status_code == 200 and "Nothing was imported" in page.content.decode()
    assert Client.objects.count() == 0

    # Valid only: the two good rows go in; the result links the rejected rows and the directory.
    imported = ClientImport.objects.get()
    assert imported.status == ClientImportStatus.REFUSED
    with django_capture_on_commit_callbacks(execute=True):
        committed = staff_client.post(reverse("backoffice:client-import-commit", args=[imported.pk]),
                                      {"on_existing": "skip", "valid_only": "on"})
    result = staff_client.get(committed["Location"]).content.decode()
    assert Client.objects.count() == 2
    assert reverse("backoffice:client-import-rejected", args=[imported.pk]) in result
    assert reverse("backoffice:client-list") in result
    assert ClientImport.objects.get().status == ClientImportStatus.IMPORTED
    again = staff_client.post(reverse("backoffice:client-import-commit", args=[imported.pk]), {})
    assert again.status_code == 302 and Client.objects.count() == 2  # imported already: refused


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    ("email,firstname,lastname,country\r\nz@example.com,Zo\xe9,X,FR\r\n".encode("latin-1"), "not UTF-8"),
    (b"", "The submitted file is empty"),
    (b"email,firstname,lastname,country\r\n", "no clients"),
])
def test_a_bad_file_is_refused_on_the_upload_page(staff_client, content, message):
    response = staff_client.post(reverse("backoffice:client-import"),
                                 {"file": SimpleUploadedFile("x.csv", content, content_type="text/csv")})
    assert response.status_code == 422
    assert message in response.content.decode() or "empty" in response.content.decode()
    assert ClientImport.objects.count() == 0


def test_a_file_over_the_limit_is_refused_before_it_is_kept(staff_client, settings):
    settings.CLIENTPANEL_IMPORT_MAX_BYTES = 50
    response = upload(staff_client, *GOOD)
    assert response.status_code == 422 and "larger than" in response.content.decode()
    assert ClientImport.objects.count() == 0


def test_a_mapping_with_two_columns_for_one_field_is_refused_and_one_can_be_saved(
        staff_client, django_capture_on_commit_callbacks):
    upload(staff_client, *GOOD)
    imported = ClientImport.objects.get()
    columns = list(imported.columns)
    columns[6] = "email"
    refused = map_and_check(staff_client, imported, django_capture_on_commit_callbacks, columns)
    assert refused.status_code == 422 and "already fed by column" in refused.content.decode()
    columns[6] = ""
    data = {f"column_{i}": field for i, field in enumerate(columns)} | {"save_as": "WHMCS"}
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("backoffice:client-import-map", args=[imported.pk]), data)
    assert ClientImportMapping.objects.get().name == "WHMCS"
    upload(staff_client, *GOOD)
    second = ClientImport.objects.order_by("-created_at").first()
    page = staff_client.get(reverse("backoffice:client-import-map", args=[second.pk]))
    assert b"WHMCS" in page.content


def test_staff_without_edit_clients_and_other_staff_are_refused(client, staff, django_capture_on_commit_callbacks):
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    assert client.get(reverse("backoffice:client-import")).status_code == 403
    assert upload(client, *GOOD).status_code == 403
    assert b"client-import" not in client.get(reverse("backoffice:client-list")).content
    client.force_login(staff)
    upload(client, *GOOD)
    imported = ClientImport.objects.get()
    client.force_login(reader)
    for name in ("client-import-map", "client-import-preview", "client-import-rejected"):
        assert client.get(reverse(f"backoffice:{name}", args=[imported.pk])).status_code == 403
    other = staff_create(email="other@example.com", password="correct-horse-battery", roles=["Administrator"])
    client.force_login(other)
    for name in ("client-import-map", "client-import-preview", "client-import-rejected"):
        assert client.get(reverse(f"backoffice:{name}", args=[imported.pk])).status_code == 404
    assert client.post(reverse("backoffice:client-import-commit", args=[imported.pk])).status_code == 404


def test_posts_without_the_csrf_token_are_refused(staff):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert upload(browser, *GOOD).status_code == 403
    assert ClientImport.objects.count() == 0
    page = browser.get(reverse("backoffice:client-import"))
    token = page.context["csrf_token"]
    response = browser.post(reverse("backoffice:client-import"), {"file": csv_file(*GOOD),
                                                                 "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    imported = ClientImport.objects.get()
    assert browser.post(reverse("backoffice:client-import-commit", args=[imported.pk])).status_code == 403
    assert browser.post(reverse("backoffice:client-import-map", args=[imported.pk])).status_code == 403


def test_a_file_with_more_columns_than_the_mapping_form_can_post_is_refused_at_the_upload(staff_client):
    """A thousand columns would make the mapping step's form a Bad Request (Django takes 1,000 fields)."""
    header = ",".join(f"Column {i}" for i in range(1500))
    response = upload(staff_client, ",".join(["x"] * 1500), header=header)
    assert response.status_code == 422
    assert "has 1500 columns; a file of clients may have at most 200" in response.content.decode()
    assert not ClientImport.objects.exists()
