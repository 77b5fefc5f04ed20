"""The CSV import under bad input (the bad-input sweep): every column given every kind of wrong
value, in files of odd encodings, with BOMs, ragged rows and invalid bytes. A run never raises
anything but a refusal, all-or-nothing writes nothing when a row is rejected, valid-only writes
exactly the valid rows, and each rejected row says which field is wrong. Runs on PostgreSQL too
(NUL, overflowing numbers)."""

from __future__ import annotations

import csv
import io

import pytest

from clientpanel.clients.imports import client_import_run, client_import_upload
from clientpanel.clients.imports.columns import FIELDS
from clientpanel.clients.models import Client, ClientImport, ClientImportStatus
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

COLUMNS = list(FIELDS)
BAD = {
    "c1": "Probe\x85", "escape": "Pro\x1bbe", "long": "x" * 10_000, "whitespace": "   ",
    "zero-width": "\u200b", "1e999": "1e999", "NaN": "NaN", "Infinity": "-Infinity", "huge": str(10**30),
    "negative": "-1", "unicode-email": "żółć@exämple.com", "long-email": "a" * 300 + "@example.com",
    "unknown": "NO_SUCH_VALUE", "date": "0000-00-00", "formula": "=1+2", "replacement": "\ufffd",
}


def good(n: int) -> dict[str, str]:
    return {"number": "", "email": f"c{n}@example.com", "firstname": "Anna", "lastname": f"Nowak{n}",
            "company_name": "", "tax_id": "", "id_number": "", "phone": "", "language": "en", "currency": "USD",
            "status": "ACTIVE", "credit_limit": "0", "group": "", "address1": "Main Street 1", "address2": "",
            "city": "Warszawa", "postcode": "02-454", "region": "", "country": "PL"}


def csv_file(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in rows:
        writer.writerow([values[c] for c in COLUMNS])
    return out.getvalue().encode("utf-8", "surrogatepass")


def imported_as(content: bytes, **options) -> dict | str:
    try:
        imported = client_import_upload(actor=None, file=io.BytesIO(content), name="clients.csv")
    except ValidationFailed as refusal:
        return str(refusal)
    if options:
        ClientImport.objects.filter(pk=imported.pk).update(**options)
    return client_import_run(actor=None, import_id=imported.pk, commit=True)


@pytest.mark.parametrize("column", COLUMNS)
def test_every_column_with_every_bad_value_rejects_its_row_and_writes_nothing(column):
    rows = [good(0)] + [{**good(n), column: value} for n, value in enumerate(BAD.values(), start=1)]
    before = Client.objects.count()
    result = imported_as(csv_file(rows))
    assert not isinstance(result, str), result
    accepted = result["counts"].get("created", 0)
    if result["status"] == ClientImportStatus.REFUSED:
        assert Client.objects.count() == before  # all or nothing
    else:
        assert Client.objects.count() == before + accepted


@pytest.mark.parametrize("column", ["firstname", "email", "credit_limit", "phone", "city"])
def test_valid_only_writes_exactly_the_valid_rows(column):
    rows = [good(0)] + [{**good(n), column: value} for n, value in enumerate(BAD.values(), start=1)]
    before = Client.objects.count()
    result = imported_as(csv_file(rows), valid_only=True)
    assert not isinstance(result, str), result
    assert Client.objects.count() == before + result["counts"]["created"]
    assert result["counts"]["created"] >= 1


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf" + csv_file([good(1)])[0:],  # BOM
    b"\xef\xbb\xbf\xef\xbb\xbf" + csv_file([good(1)]),  # two BOMs
    csv_file([good(1)]).replace(b"Anna", b"An\xed\xa0\x80na"),  # a surrogate's bytes: not UTF-8
    csv_file([good(1)]).replace(b"Anna", b"An\xffna"),  # a byte no UTF-8 has
    csv_file([good(1)]).decode().encode("utf-16"),
    csv_file([good(1)]).decode().encode("cp1250"),
    csv_file([good(1)]) + b"a,b\r\n,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n\r\n",  # ragged rows and a blank line
    csv_file([good(1)]).replace(b"\r\n", b"\r"),  # old Mac line ends
    csv_file([good(1)]) + b'"unterminated,quote\r\n',
    b"\x00" * 100, b"", b"\xef\xbb\xbf", b"email\r\n", ("email,firstname\r\n" + "x@y.z," + "a" * 200_000).encode(),
])
def test_odd_files_are_imported_or_refused_never_an_error(content):
    before = Client.objects.count()
    result = imported_as(content)
    if isinstance(result, str):
        assert result and Client.objects.count() == before
        return
    if result["status"] == ClientImportStatus.REFUSED:
        assert Client.objects.count() == before


@pytest.mark.parametrize("mapping", [{"email": "email\x00"}, {"email": "\x00"}, {"email\x00": "email"},
                                     {"email": "email\ud800"}, {"email": "\x1b[31m"}])
def test_a_mapping_with_control_characters_is_refused_and_nothing_is_kept(mapping):
    # The mapping's fields went into the columns' JSON: PostgreSQL refused the NUL (a 500 at the API).
    with pytest.raises(ValidationFailed) as refused:
        client_import_upload(actor=None, file=io.BytesIO(csv_file([good(1)])), name="clients.csv", mapping=mapping)
    assert "mapping" in refused.value.fields
    assert not ClientImport.objects.exists()


def test_the_command_says_what_is_wrong_with_a_mapping_and_exits_2(tmp_path, capsys):
    from django.core.management import call_command

    data, mapping = tmp_path / "clients.csv", tmp_path / "mapping.json"
    data.write_bytes(csv_file([good(1)]))
    mapping.write_text('{"email": "email\\u0000"}', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_clients", str(data), "--mapping", str(mapping))
    assert exit_status.value.code == 2
    assert "mapping: Contains a NUL byte" in capsys.readouterr().err  # not only "Some fields are not valid"
    assert not ClientImport.objects.exists()
