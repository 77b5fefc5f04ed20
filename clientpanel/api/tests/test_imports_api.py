"""POST /api/v1/imports/clients and GET /api/v1/imports/{id}: 202 with an import to poll, its counts
and bounded errors, bad files and mappings as 422 with nothing kept, the scope, and the size limit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.clients.models import Client, ClientImport

pytestmark = pytest.mark.django_db

HEADER = "email,firstname,lastname,country,tax_id"


def post(client, token, content: bytes, **form):
    data = {"file": SimpleUploadedFile("clients.csv", content, content_type="text/csv"), **form}
    return client.post("/api/v1/imports/clients", data=data, headers={"Authorization": f"Bearer {token}"})


def poll(client, token, import_id):
    return client.get(f"/api/v1/imports/{import_id}", headers={"Authorization": f"Bearer {token}"})


def lines(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def test_an_upload_answers_202_and_the_import_polls_to_its_counts(client, api_token,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_token, lines("a@example.com,A,A,PL,5260250995", "b@example.com,B,B,US,"))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "IMPORTING" and body["columns"]["email"] == "email"
    polled = poll(client, api_token, body["id"]).json()
    assert polled["status"] == "IMPORTED"
    assert polled["counts"] | {} == {"rows": 2, "valid": 2, "created": 2, "updated": 0, "skipped": 0, "rejected": 0}
    assert Client.objects.count() == 2


def test_rejected_rows_are_listed_and_bounded_and_nothing_is_written(client, api_token,
                                                                     django_capture_on_commit_callbacks):
    rows = [f"c{n}@example.com,C,C,XX," for n in range(150)]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_token, lines("ok@example.com,O,K,PL,", *rows))
    polled = poll(client, api_token, response.json()["id"]).json()
    assert polled["status"] == "REFUSED" and polled["counts"]["rejected"] == 150 and polled["counts"]["created"] == 0
    assert len(polled["errors"]) == 100 and polled["errors_not_shown"] == 50
    assert polled["errors"][0] == {"line": 3, "messages": ["country: Unknown country code 'XX'; use ISO 3166-1 "
                                                           "alpha-2, e.g. PL or US."]}
    assert Client.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        valid_only = post(client, api_token, lines("ok@example.com,O,K,PL,", *rows), valid_only="true")
    assert poll(client, api_token, valid_only.json()["id"]).json()["counts"]["created"] == 1


def test_a_dry_run_checks_only(client, api_token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_token, lines("a@example.com,A,A,PL,"), dry_run="true")
    polled = poll(client, api_token, response.json()["id"]).json()
    assert polled["status"] == "CHECKED" and polled["dry_run"] and polled["counts"]["created"] == 1
    assert Client.objects.count() == 0


@pytest.mark.parametrize(("content", "form", "field"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", {}, "file"),
    (b"", {}, "file"),
    # No mapping sent: the columns are read from the file's headers, so the refusal is the file's.
    (b"name,city\r\nx,y\r\n", {}, "file"),
    (lines("a@example.com,A,A,PL,"), {"mapping": '{"email": "email", "tax_id": "email"}'}, "mapping"),
    (lines("a@example.com,A,A,PL,"), {"mapping": "[1, 2]"}, "mapping"),
    # Nested past the JSON parser's recursion limit: its RecursionError was a 500.
    (lines("a@example.com,A,A,PL,"), {"mapping": "[" * 5000}, "mapping"),
    (lines("a@example.com,A,A,PL,"), {"mapping": '{"email": "email", "firstname": "nope"}'}, "mapping"),
    (lines("a@example.com,A,A,PL,"), {"mapping": '{"E-mail address": "email"}'}, "mapping"),
    (lines("a@example.com,A,A,PL,"), {"on_existing": "merge"}, "on_existing"),
    (lines("a@example.com,A,A,PL,"), {"valid_only": "perhaps"}, "valid_only"),
])
def test_bad_files_and_mappings_are_422_and_keep_nothing(client, api_token, content, form, field):
    response = post(client, api_token, content, **form)
    assert response.status_code == 422, response.content
    # Keyed by the request's own fields only (not column_4, columns, form.on_existing).
    assert list(response.json()["error"]["fields"]) == [field], response.json()
    assert ClientImport.objects.count() == 0


def test_a_missing_file_is_refused_under_file(client, api_token):
    response = client.post("/api/v1/imports/clients", data={"on_existing": "skip"},
                           headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["file"]


def test_a_mapping_refusal_names_the_column_and_what_is_missing(client, api_token):
    response = post(client, api_token, lines("a@example.com,A,A,PL,"),
                    mapping='{"email": "email", "firstname": "firstname", "lastname": "lastname", '
                            '"country": "country", "tax_id": "email"}')
    assert response.status_code == 422, response.content
    (message,) = response.json()["error"]["fields"]["mapping"]
    assert message.startswith("Column 'tax_id': ") and "'email'" in message


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(client, api_token):
    response = post(client, api_token, lines("a@example.com,A,A,PL,"),
                    mapping='{"email": "email", "firstname": "firstname", "lastname": "lastname", '
                            '"country": "country", "VAT": "tax_id"}')
    assert response.status_code == 422, response.content
    assert "'VAT'" in response.json()["error"]["fields"]["mapping"][0]
    assert ClientImport.objects.count() == 0


def test_a_file_over_the_limit_is_refused(client, api_token, settings):
    settings.CLIENTPANEL_IMPORT_MAX_BYTES = 100
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    small_overflow = post(client, api_token, lines(*(f"c{n}@example.com,C,C,PL," for n in range(20))))
    assert small_overflow.status_code == 422 and "larger than" in small_overflow.json()["error"]["fields"]["file"][0]
    # A body beyond the file's limit and the form's room is refused before it is read.
    huge = post(client, api_token, lines(*(f"c{n}@example.com,C,C,PL," for n in range(3000))))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    assert ClientImport.objects.count() == 0


def test_a_file_larger_than_the_usual_body_limit_is_taken(client, api_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(client, api_token, lines(*(f"c{n}@example.com,C,C,PL," for n in range(200))))
    assert response.status_code == 202


def test_a_token_without_clients_write_and_another_staff_members_import_are_refused(client, api_token):
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    _, read_only = api_token_create(user=reader)
    refused = post(client, read_only, lines("a@example.com,A,A,PL,"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_scope"
    mine = post(client, api_token, lines("a@example.com,A,A,PL,")).json()["id"]
    other = staff_create(email="other@example.com", password="correct-horse-battery", roles=["Administrator"])
    _, others = api_token_create(user=other)
    assert poll(client, others, mine).status_code == 404
    assert poll(client, api_token, "not-a-uuid").status_code == 404
    assert client.post("/api/v1/imports/clients").status_code == 401


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=ĉ"])
def test_a_multipart_body_without_a_usable_boundary_is_a_400_and_keeps_nothing(client, api_token, content_type):
    response = client.post("/api/v1/imports/clients", data=b"--x\r\n" + lines("a@example.com,A,A,PL,"),
                           content_type=content_type, headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_body" and "body" in response.json()["error"]["fields"]
    assert ClientImport.objects.count() == 0


def test_a_part_whose_headers_are_too_long_is_a_400_and_keeps_nothing(client, api_token):
    body = (b'--BB\r\nContent-Disposition: form-data; name="file"; filename="' + b"a" * 5000 + b'.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + lines("a@example.com,A,A,PL,") + b"\r\n--BB--\r\n")
    response = client.post("/api/v1/imports/clients", data=body, content_type="multipart/form-data; boundary=BB",
                           headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_body", response.content
    assert ClientImport.objects.count() == 0


@pytest.mark.parametrize("header", ["email,firstname,lastname,country,email", "email,firstname,lastname,country,EMAIL"])
def test_a_header_naming_a_column_twice_is_refused_under_file_naming_it(client, api_token, header):
    content = f"{header}\r\na@example.com,A,A,PL,b@example.com\r\n".encode()
    response = post(client, api_token, content)
    assert response.status_code == 422, response.content
    (message,) = response.json()["error"]["fields"]["file"]
    assert "twice" in message and "columns 1 and 5" in message
    assert ClientImport.objects.count() == 0
