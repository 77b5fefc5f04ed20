"""Uploading and deleting client files: what is refused (with field errors, nothing written), what
is kept (under our own name, with its detected type, size and SHA-256, audited), and that the row
and the stored file agree whatever fails."""

from __future__ import annotations

import hashlib

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed
from clientpanel.files import services
from clientpanel.files.models import ClientFile
from clientpanel.files.services import client_file_delete, client_file_upload
from clientpanel.files.storage import FileNotStored, StoredFileUnavailable, client_file_read

from . import samples
from .conftest import assign
from .helpers import stored_files

pytestmark = pytest.mark.django_db


def _upload(staff, client, content, filename="file.bin", **kwargs):
    return client_file_upload(actor=staff, client_id=client.pk, file=samples.upload(content, filename), **kwargs)


def _refusal(staff, client, content, filename="file.bin", **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        _upload(staff, client, content, filename, **kwargs)
    return refused.value.fields


def test_an_upload_is_kept_under_our_name_with_what_its_content_is(media, staff, make_client):
    client = make_client()
    kept = _upload(staff, client, samples.PDF, "Umowa 2026.pdf", note="Signed by both.", visible_in_portal=True)

    kept.refresh_from_db()
    assert (kept.name, kept.note, kept.visible_in_portal) == ("Umowa 2026.pdf", "Signed by both.", True)
    assert (kept.content_type, kept.size) == ("application/pdf", len(samples.PDF))
    assert kept.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert kept.uploaded_by == staff and kept.client == client
    [on_disk] = stored_files(media)
    assert on_disk == media / "client-files" / str(client.pk) / str(kept.pk)
    assert on_disk.read_bytes() == samples.PDF
    event = AuditEvent.objects.get(action="client_file.create")
    assert event.client_id == client.pk and event.object_id == str(kept.pk)
    assert client_file_read(kept).read() == samples.PDF


def test_the_shown_name_defaults_to_the_uploaded_files_own_name_without_its_directories(media, staff, make_client):
    kept = _upload(staff, make_client(), samples.CSV, "../../etc/passwd")
    assert kept.name == "passwd" and kept.content_type == "text/plain; charset=utf-8"
    [on_disk] = stored_files(media)
    assert on_disk.is_relative_to(media) and "passwd" not in str(on_disk)


def test_a_400_character_file_name_is_cut_when_it_is_only_the_default(media, staff, make_client):
    kept = _upload(staff, make_client(), samples.PDF, "x" * 400 + ".pdf")
    assert len(kept.name) == 200 and kept.name.endswith(".pdf")


@pytest.mark.parametrize(("content", "kwargs", "field", "message"), [
    (samples.PDF, {"name": "n" * 400}, "name", "At most 200 characters."),
    (samples.PDF, {"name": "umowa\x00.pdf"}, "name", "NUL"),
    (samples.PDF, {"name": "two\nlines"}, "name", "one line"),
    (samples.PDF, {"name": "invoice\u202efdp.exe"}, "name", "U+202E"),
    (samples.PDF, {"name": "a\u2067b.pdf"}, "name", "text direction control U+2067"),
    (samples.PDF, {"note": "x" * 2001}, "note", "At most 2000 characters."),
    (samples.PDF, {"note": "bad\x00note"}, "note", "NUL"),
    (samples.PDF, {"visible_in_portal": "yes"}, "visible_in_portal", "true or false"),
    (b"", {}, "file", "empty"),
    (samples.HTML, {"name": "invoice.pdf"}, "file", "markup"),
    (samples.SVG, {"name": "logo.png"}, "file", "markup"),
    (samples.plain_zip(), {"name": "report.docx"}, "file", "office documents"),
    (b"MZ\x90\x00", {"name": "setup.exe"}, "file", "not accepted"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(media, staff, make_client, content, kwargs,
                                                                   field, message):
    client = make_client()
    fields = _refusal(staff, client, content, "upload.bin", **kwargs)
    assert message in " ".join(fields[field])
    assert not ClientFile.objects.exists() and stored_files(media) == []
    assert not AuditEvent.objects.filter(action__startswith="client_file").exists()


def test_every_problem_is_reported_at_once(media, staff, make_client):
    fields = _refusal(staff, make_client(), samples.HTML, name="n" * 400, note="\x00")
    assert set(fields) == {"name", "note", "file"}


def test_no_file_at_all_is_a_field_error(media, staff, make_client):
    with pytest.raises(ValidationFailed) as refused:
        client_file_upload(actor=staff, client_id=make_client().pk, file=None, name="Contract")
    assert refused.value.fields == {"file": ["Choose a file to upload."]}


def test_the_size_limit_comes_from_the_settings(media, staff, make_client, settings):
    settings.CLIENTPANEL_FILE_MAX_BYTES = 1000
    client = make_client()
    assert _upload(staff, client, b"a" * 1000, "limit.txt").size == 1000
    fields = _refusal(staff, client, b"a" * 1001, "over.txt")
    assert fields == {"file": ["The file is larger than 1000 bytes; upload a smaller one."]}
    assert ClientFile.objects.count() == 1 and len(stored_files(media)) == 1


def test_the_default_limit_is_20_mb(media, staff, make_client):
    client = make_client()
    assert _upload(staff, client, b"a" * (20 * 1024 * 1024), "big.txt").size == 20 * 1024 * 1024
    assert "larger than 20 MB" in _refusal(staff, client, b"a" * (20 * 1024 * 1024 + 1), "bigger.txt")["file"][0]


def test_when_the_row_cannot_be_written_the_stored_file_is_removed(media, staff, make_client, monkeypatch):
    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        _upload(staff, make_client(), samples.PDF, "contract.pdf")
    assert not ClientFile.objects.exists() and stored_files(media) == []


def test_when_the_storage_refuses_the_file_nothing_is_kept_and_the_reason_is_clear(media, staff, make_client,
                                                                                 monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def disk_full(self, name, content):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"half")  # part of it reached the disk
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    with pytest.raises(FileNotStored, match="could not be stored"):
        _upload(staff, make_client(), samples.PDF, "contract.pdf")
    assert not ClientFile.objects.exists() and stored_files(media) == []


def test_only_staff_with_edit_clients_upload(media, read_only_staff, make_client, make_portal_actor):
    client = make_client()
    with pytest.raises(PermissionDenied):
        _upload(read_only_staff, client, samples.PDF)
    with pytest.raises(PermissionDenied):
        _upload(make_portal_actor(client, ["view-documents"]), client, samples.PDF)
    assert stored_files(media) == []


def test_limited_staff_upload_only_to_their_assigned_clients(media, limited_staff, make_client):
    mine, theirs = make_client(), make_client()
    assign(limited_staff, mine)
    assert _upload(limited_staff, mine, samples.PDF).client == mine
    with pytest.raises(NotFound):
        _upload(limited_staff, theirs, samples.PDF)
    with pytest.raises(NotFound):
        client_file_upload(actor=limited_staff, client_id="not-a-uuid", file=samples.upload(samples.PDF))
    assert len(stored_files(media)) == 1


def test_deleting_removes_the_row_audited_and_the_file_once_committed(media, staff, make_client,
                                                                     django_capture_on_commit_callbacks):
    client = make_client()
    kept = _upload(staff, client, samples.PDF, "contract.pdf")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        client_file_delete(actor=staff, client_id=client.pk, file_id=kept.pk)
    assert not ClientFile.objects.exists()
    assert len(stored_files(media)) == 1  # not before the deletion is committed
    for callback in pending:
        callback()
    assert stored_files(media) == []
    event = AuditEvent.objects.get(action="client_file.delete")
    assert event.client_id == client.pk and event.changes["name"] == ["contract.pdf", None]


def test_a_deletion_that_rolls_back_keeps_row_and_file(media, staff, make_client, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    client = make_client()
    kept = _upload(staff, client, samples.PDF)

    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        client_file_delete(actor=staff, client_id=client.pk, file_id=kept.pk)
    assert ClientFile.objects.filter(pk=kept.pk).exists() and len(stored_files(media)) == 1


def test_another_clients_file_cannot_be_deleted_through_this_client(media, staff, make_client,
                                                                   django_capture_on_commit_callbacks):
    client, other = make_client(), make_client()
    theirs = _upload(staff, other, samples.PDF)
    with django_capture_on_commit_callbacks(execute=True):
        for file_id in (theirs.pk, "../../etc/passwd", "00000000-0000-0000-0000-000000000000"):
            with pytest.raises(NotFound):
                client_file_delete(actor=staff, client_id=client.pk, file_id=file_id)
    assert ClientFile.objects.filter(pk=theirs.pk).exists() and len(stored_files(media)) == 1


def test_only_staff_with_edit_clients_delete(media, staff, read_only_staff, limited_staff, make_client):
    client = make_client()
    kept = _upload(staff, client, samples.PDF)
    with pytest.raises(PermissionDenied):
        client_file_delete(actor=read_only_staff, client_id=client.pk, file_id=kept.pk)
    with pytest.raises(NotFound):
        client_file_delete(actor=limited_staff, client_id=client.pk, file_id=kept.pk)
    assert ClientFile.objects.filter(pk=kept.pk).exists()


def test_a_stored_file_changed_or_missing_behind_our_back_is_not_read(media, staff, make_client):
    kept = _upload(staff, make_client(), samples.PDF)
    [on_disk] = stored_files(media)
    on_disk.write_bytes(samples.PDF.replace(b"Catalog", b"Catalox"))
    with pytest.raises(StoredFileUnavailable, match="no longer matches"):
        client_file_read(kept)
    on_disk.unlink()
    with pytest.raises(StoredFileUnavailable, match="missing"):
        client_file_read(kept)
