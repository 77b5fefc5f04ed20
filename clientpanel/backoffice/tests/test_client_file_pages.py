"""A client's Documents tab: upload, list, download and delete through the pages, as staff do it —
bad input answered on the form with nothing kept, downloads that never render in the browser, and
another client's file or a request without the CSRF token refused."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import StaffAssignment
from clientpanel.files.models import ClientFile
from clientpanel.files.services import client_file_upload
from clientpanel.files.tests import samples
from clientpanel.files.tests.helpers import stored_files, use_media_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_media_root(settings, tmp_path / "media")


def _tab(client) -> str:
    return reverse("backoffice:client-files", args=[client.pk])


def _upload_url(client) -> str:
    return reverse("backoffice:client-file-upload", args=[client.pk])


def _post_upload(http, client, content, filename="file.bin", *, htmx=True, **fields):
    data = {"file": samples.upload(content, filename), "name": "", "note": "Keep me", **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return http.post(_upload_url(client), data, headers=headers)


def _kept(client, content=samples.PDF, filename="contract.pdf", **kwargs) -> ClientFile:
    return client_file_upload(actor=None, client_id=client.pk, file=samples.upload(content, filename), **kwargs)


def test_upload_then_the_tab_lists_it_and_the_download_is_an_attachment(staff_client, make_client, media):
    client = make_client()
    assert staff_client.get(_upload_url(client)).status_code == 200
    response = _post_upload(staff_client, client, samples.PDF, "scan.pdf", name="Signed contract",
                            note="Both pages.", visible_in_portal="on")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    kept = ClientFile.objects.get()
    assert (kept.name, kept.note, kept.visible_in_portal) == ("Signed contract", "Both pages.", True)

    page = staff_client.get(_tab(client)).content.decode()
    assert "Signed contract" in page and "PDF document" in page and "VISIBLE" in page
    assert reverse("backoffice:client-file-download", args=[client.pk, kept.pk]) in page

    download = staff_client.get(reverse("backoffice:client-file-download", args=[client.pk, kept.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Signed contract.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "no-store" in download["Cache-Control"]


def test_text_downloads_as_text_under_a_name_of_its_type(staff_client, make_client, media):
    client = make_client()
    kept = _kept(client, samples.CSV, "export.csv", name="../../etc/passwd")
    download = staff_client.get(reverse("backoffice:client-file-download", args=[client.pk, kept.pk]))
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="etc_passwd.txt"'


@pytest.mark.parametrize(("content", "filename", "fields", "message"), [
    (samples.HTML, "invoice.pdf", {}, "markup"),
    (samples.SVG, "logo.svg", {}, "markup"),
    (b"", "empty.txt", {}, "The file is empty."),
    (samples.PDF, "ok.pdf", {"name": "n" * 400}, "At most 200 characters."),
    (samples.PDF, "ok.pdf", {"name": "bad\x00name"}, "Null characters are not allowed."),
    (samples.PDF, "ok.pdf", {"note": "bad\x00note"}, "Null characters are not allowed."),
    (samples.PDF, "a\x00b.pdf", {"name": "Contract"}, None),
    (samples.PDF, "../../../../etc/passwd", {}, None),
])
def test_bad_input_is_answered_on_the_form_keeping_what_was_typed(staff_client, make_client, media, content,
                                                                   filename, fields, message):
    client = make_client()
    response = _post_upload(staff_client, client, content, filename, **fields)
    if message is None:  # a name the browser sent is made harmless, not refused
        assert response.status_code == 200 and response.get("HX-Refresh") == "true"
        assert ClientFile.objects.get().name in ("Contract", "passwd")
        [on_disk] = stored_files(media)
        assert on_disk.parent == media / "client-files" / str(client.pk)
        return
    page = response.content.decode()
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert message in page and "invalid-feedback" in page
    assert "Keep me" in page or "note" in fields
    assert not ClientFile.objects.exists() and stored_files(media) == []


def test_a_file_over_the_limit_is_not_even_kept_while_reading_the_request(staff_client, make_client, media,
                                                                         settings, monkeypatch):
    settings.CLIENTPANEL_FILE_MAX_BYTES = 100 * 1024

    def never_reached(**kwargs):
        raise AssertionError("the file reached the service")

    monkeypatch.setattr("clientpanel.files.services.client_file_upload", never_reached)
    response = _post_upload(staff_client, make_client(), b"a" * 300_000, "big.txt", name="Big export")
    page = response.content.decode()
    assert response.status_code == 200 and "larger than 100 KB" in page and 'value="Big export"' in page
    assert not ClientFile.objects.exists() and stored_files(media) == []


def test_no_file_chosen_is_a_field_error(staff_client, make_client, media):
    response = staff_client.post(_upload_url(make_client()), {"name": "Contract"}, headers={"HX-Request": "true"})
    assert "Choose a file to upload." in response.content.decode()


def test_a_post_without_the_csrf_token_is_refused(staff, make_client, media):
    client = make_client()
    kept = _kept(client)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(staff)
    assert _post_upload(http, client, samples.PDF, "x.pdf").status_code == 403
    assert http.post(reverse("backoffice:client-file-delete", args=[client.pk, kept.pk])).status_code == 403
    assert list(ClientFile.objects.all()) == [kept] and len(stored_files(media)) == 1

    # With the token htmx sends from the page, the same upload goes through.
    http.get(_tab(client))
    token = http.cookies["csrftoken"].value
    response = http.post(_upload_url(client), {"file": samples.upload(samples.PDF, "x.pdf")},
                         headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200 and ClientFile.objects.count() == 2


def test_another_clients_file_is_not_found_through_this_client(staff_client, make_client, media):
    client, other = make_client(), make_client()
    theirs = _kept(other)
    assert staff_client.get(reverse("backoffice:client-file-download", args=[client.pk, theirs.pk])).status_code == 404
    assert staff_client.post(reverse("backoffice:client-file-delete", args=[client.pk, theirs.pk])).status_code == 404
    assert ClientFile.objects.filter(pk=theirs.pk).exists()


def test_limited_staff_reach_only_their_assigned_clients_files(client, make_client, media):
    mine, theirs = make_client(), make_client()
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=mine)
    hidden = _kept(theirs)
    client.force_login(limited)
    assert client.get(_tab(mine)).status_code == 200
    assert client.get(_tab(theirs)).status_code == 404
    assert client.get(reverse("backoffice:client-file-download", args=[theirs.pk, hidden.pk])).status_code == 404
    assert _post_upload(client, theirs, samples.PDF).status_code == 404
    assert ClientFile.objects.count() == 1


def test_read_only_staff_see_and_download_but_neither_upload_nor_delete(client, make_client, media):
    record = make_client()
    kept = _kept(record)
    client.force_login(staff_create(email="reader@example.com", password="correct-horse-battery",
                                    roles=["Read-only"]))
    page = client.get(_tab(record)).content.decode()
    assert "contract.pdf" in page and "+ Upload" not in page and "client-file-delete" not in page
    assert reverse("backoffice:client-file-delete", args=[record.pk, kept.pk]) not in page
    assert client.get(reverse("backoffice:client-file-download", args=[record.pk, kept.pk])).status_code == 200
    assert _post_upload(client, record, samples.PDF).status_code == 403
    assert client.post(reverse("backoffice:client-file-delete", args=[record.pk, kept.pk])).status_code == 403


def test_delete_asks_first_then_removes_the_file_and_audits_it(staff_client, make_client, media,
                                                               django_capture_on_commit_callbacks):
    client = make_client()
    kept = _kept(client, name="Old scan")
    page = staff_client.get(_tab(client)).content.decode()
    assert "Delete Old scan? The file is removed for good." in page  # the hx-confirm question
    url = reverse("backoffice:client-file-delete", args=[client.pk, kept.pk])
    assert staff_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    assert not ClientFile.objects.exists() and stored_files(media) == []
    event = AuditEvent.objects.get(action="client_file.delete")
    assert event.actor_label == "staff@example.com" and event.client_id == client.pk
    assert "Old scan deleted." in staff_client.get(_tab(client)).content.decode()


def test_a_stored_file_changed_behind_our_back_shows_the_reason_instead_of_an_error(staff_client, make_client,
                                                                                     media):
    client = make_client()
    kept = _kept(client)
    [on_disk] = stored_files(media)
    on_disk.write_bytes(b"%PDF-1.4 something else")
    response = staff_client.get(reverse("backoffice:client-file-download", args=[client.pk, kept.pk]), follow=True)
    assert response.status_code == 200
    assert "no longer matches the one uploaded" in response.content.decode()


def test_the_documents_tab_is_listed_on_the_client_record(staff_client, make_client):
    client = make_client()
    page = staff_client.get(reverse("backoffice:client-summary", args=[client.pk])).content.decode()
    assert _tab(client) in page and ">Documents</a>" in page


def test_a_multipart_field_that_is_not_utf8_is_refused_on_the_form_and_nothing_is_kept(staff_client, make_client,
                                                                                          media):
    """Django reads a multipart form's fields with replacement characters ("Krak\\xf3w", Latin-2, becomes
    "Krak\N{REPLACEMENT CHARACTER}w"); the field is refused, never stored damaged."""
    client = make_client()
    body = (b'--BOUND\r\nContent-Disposition: form-data; name="name"\r\n\r\nContract\r\n'
            b'--BOUND\r\nContent-Disposition: form-data; name="note"\r\n\r\nKrak\xf3w\r\n'
            b'--BOUND\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + samples.PDF + b"\r\n--BOUND--\r\n")
    response = staff_client.generic("POST", _upload_url(client), body,
                                     content_type="multipart/form-data; boundary=BOUND",
                                     headers={"HX-Request": "true"})
    assert response.status_code == 200 and "U+FFFD" in response.content.decode()
    assert not ClientFile.objects.exists() and not stored_files(media)
