"""CSV import of clients (issue 13): the file checks, header guessing, the same validation as
client_create in every row, all or nothing, valid only, matching existing clients (skip, update,
refuse), idempotent re-runs, one event, the audit trail and the round trip through our own export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.events import ClientCreated, ImportCompleted, WelcomeEmailRequested
from clientpanel.clients.imports import (
    client_import_map,
    client_import_mappings,
    client_import_run,
    client_import_upload,
    guess_columns,
    rejected_rows_open,
)
from clientpanel.clients.imports.columns import mapping_problems, strip_formula_guard
from clientpanel.clients.models import Address, Client, ClientGroup, ClientImport, ClientImportStatus, ClientUser
from clientpanel.core.csv_export import safe_cell
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.core.events import subscribe, unsubscribe

pytestmark = pytest.mark.django_db

HEADER = "email,firstname,lastname,company_name,tax_id,phone,country,region,city,postcode,address1,currency,status"


def csv_bytes(*lines: str, bom: bool = False, header: str = HEADER) -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def row(n: int, **fields) -> str:
    values = {"email": f"c{n}@example.com", "firstname": "Anna", "lastname": f"Nowak{n}", "company_name": "",
              "tax_id": "5260250995", "phone": "+48 22 123 45 67", "country": "PL", "region": "Mazowieckie",
              "city": "Warszawa", "postcode": "02-454", "address1": "Main Street 1", "currency": "USD",
              "status": "ACTIVE"}
    values.update(fields)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[k] for k in HEADER.split(",")])
    return out.getvalue()


def upload(content: bytes, name="clients.csv", actor=None, **kwargs) -> ClientImport:
    return client_import_upload(actor=actor, file=io.BytesIO(content), name=name, **kwargs)


def run(imported: ClientImport, *, commit=True, actor=None, **options) -> dict:
    if options:
        ClientImport.objects.filter(pk=imported.pk).update(**options)
    return client_import_run(actor=actor, import_id=imported.pk, commit=commit)


def refresh(imported: ClientImport) -> ClientImport:
    return ClientImport.objects.get(pk=imported.pk)


def rows_in_database() -> tuple[int, int, int, int]:
    return (Client.objects.count(), Address.objects.count(), User.objects.filter(is_staff=False).count(),
            ClientUser.objects.count())


@pytest.fixture
def events():
    seen: list = []

    def keep(batch):
        seen.extend(batch)

    subscribe(ImportCompleted, keep)
    subscribe(ClientCreated, keep)
    yield seen
    unsubscribe(ImportCompleted, keep)
    unsubscribe(ClientCreated, keep)


# --- the file -----------------------------------------------------------------------------------

def test_a_valid_file_creates_every_client_with_owner_billing_address_and_link(events):
    imported = upload(csv_bytes(row(1), row(2, company_name="Acme", tax_id="PL 526-025-09-95", region="malopolskie")))
    assert (imported.row_count, imported.delimiter) == (2, ",")
    assert imported.columns == HEADER.split(",")
    result = run(imported)
    assert result["counts"] | {} == {"created": 2, "updated": 0, "skipped": 0, "rejected": 0, "rows": 2, "valid": 2}
    assert rows_in_database() == (2, 2, 2, 2)
    acme = Client.objects.get(company_name="Acme")
    assert (acme.tax_id, acme.phone, acme.status, acme.display_name) == ("PL5260250995", "+48221234567", "ACTIVE",
                                                                           "Acme")
    assert acme.addresses.get().region == "PL-12"
    assert acme.owner.email == "c2@example.com" and not acme.owner.has_usable_password()
    assert [e.name for e in events] == ["import.completed"]
    assert events[0].created == 2
    assert refresh(imported).status == ClientImportStatus.IMPORTED and not refresh(imported).stored_name
    # One event per client (client_create writes address.create too), naming the import, the
    # file's line and the owner; the values are the client's own row, not repeated.
    created = AuditEvent.objects.get(action="client.create", client_id=acme.pk)
    assert created.object_label == f"{acme.number} Acme"
    assert created.object_id == str(acme.pk)
    assert created.changes == {"client_import": [None, str(imported.pk)], "line": [None, "3"],
                               "owner": [None, "c2@example.com"]}
    assert AuditEvent.objects.filter(action="client.create").count() == 2
    assert not AuditEvent.objects.filter(action="address.create").exists()
    assert AuditEvent.objects.filter(action="client_import.commit").count() == 1


def test_numbers_continue_after_the_files_own_and_new_clients_get_the_next(make_client):
    header = "number,email,firstname,lastname,country"
    imported = upload(csv_bytes("0007,a@example.com,A,A,PL", ",b@example.com,B,B,PL", header=header))
    run(imported)
    assert sorted(Client.objects.values_list("number", flat=True)) == ["0007", "0008"]
    assert make_client().number == "0009"


def test_a_file_of_many_batches_is_written_whole_in_order_with_the_counter_taken_once(monkeypatch, make_client):
    """Batches are sent from a second thread while the next is cleaned (PostgreSQL), or at once
    (SQLite): either way every row is written, numbers run on across batches and the counter ends
    past the last one."""
    from clientpanel.clients.imports import importer
    from clientpanel.core.models import NumberSequence

    monkeypatch.setattr(importer, "CHUNK", 3)
    header = "number,email,firstname,lastname,country"
    lines = [f",c{n}@example.com,A,N{n},PL" for n in range(10)]
    lines[4] = "0050,c4@example.com,A,N4,PL"  # the file's own number: the others come after it
    imported = upload(csv_bytes(*lines, header=header))
    result = run(imported)
    assert result["counts"]["created"] == 10
    numbers = dict(Client.objects.values_list("lastname", "number"))
    assert numbers["N4"] == "0050"
    assert [numbers[f"N{n}"] for n in range(10) if n != 4] == [f"{n:04d}" for n in range(51, 60)]
    assert NumberSequence.objects.get(key="client", period="").last_value == 59
    assert AuditEvent.objects.filter(action="client.create").count() == 10
    assert rows_in_database() == (10, 10, 10, 10)
    assert make_client().number == "0060"


def test_a_clash_while_the_rows_are_sent_writes_nothing_and_says_run_it_again(monkeypatch):
    """Another change takes a file's e-mail address after the rows were looked up: the COPY (or
    bulk insert) refuses the batch, and the whole import is rolled back with a clear message."""
    from clientpanel.clients.imports import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    looked_up = importer.Importer._look_up

    def look_up_then_lose_an_address(self, batch):
        answer = looked_up(self, batch)
        if any(cells[0] == "c3@example.com" for _line, cells in batch):
            User.objects.create_user(email="c3@example.com", password=None)
        return answer

    monkeypatch.setattr(importer.Importer, "_look_up", look_up_then_lose_an_address)
    imported = upload(csv_bytes(*(row(n) for n in range(6))))
    with pytest.raises(Conflict) as refused:
        run(imported)
    assert refused.value.code == "import_conflict"
    assert rows_in_database() == (0, 0, 0, 0)
    assert not User.objects.filter(email="c3@example.com").exists()
    assert refresh(imported).status == ClientImportStatus.FAILED
    assert "Run the import again" in refresh(imported).error


@pytest.mark.postgres
def test_a_group_deleted_while_the_rows_are_sent_is_caught_with_the_batch_and_nothing_is_written(monkeypatch):
    """PostgreSQL checks each batch's foreign keys as it is written (core.bulk.CopySender), not at
    the commit: a group deleted after the look-ups refuses the batch that names it, and the whole
    import is rolled back with the same clear message."""
    from clientpanel.clients.imports import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    gold = ClientGroup.objects.create(name="Gold", currency="EUR")
    looked_up = importer.Importer._look_up

    def look_up_then_lose_the_group(self, batch):
        answer = looked_up(self, batch)
        if any(cells[0] == "c3@example.com" for _line, cells in batch):
            ClientGroup.objects.filter(pk=gold.pk).delete()
        return answer

    monkeypatch.setattr(importer.Importer, "_look_up", look_up_then_lose_the_group)
    lines = [f"c{n}@example.com,A,Nowak{n},PL,Gold" for n in range(6)]
    imported = upload(csv_bytes(*lines, header="email,firstname,lastname,country,group"))
    with pytest.raises(Conflict) as refused:
        run(imported)
    assert refused.value.code == "import_conflict" and "group deleted" in refused.value.message
    assert rows_in_database() == (0, 0, 0, 0)
    assert ClientGroup.objects.filter(pk=gold.pk).exists()  # the deletion was in the import's transaction


def test_welcome_emails_go_only_when_asked_one_per_new_owner(monkeypatch, make_client):
    from clientpanel.clients.imports import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    asked: list = []
    subscribe(WelcomeEmailRequested, asked.extend)
    try:
        run(upload(csv_bytes(row(1), row(2))))
        assert asked == []
        existing = make_client()
        run(upload(csv_bytes(row(3), row(4), row(5), row(6, email=existing.owner.email))), send_welcome_emails=True)
    finally:
        unsubscribe(WelcomeEmailRequested, asked.extend)
    new = Client.objects.filter(owner__email__in=[f"c{n}@example.com" for n in (3, 4, 5)])
    owners = {c.owner_id: c.pk for c in new}
    assert sorted((e.user_id, e.client_id) for e in asked) == sorted(owners.items())


def test_utf8_with_bom_semicolons_and_quoted_fields():
    content = csv_bytes('"c1@example.com";"Zażółć";"Gęślą; jaźń";"Firma ""Cudzysłów"" S.A.";PL',
                        # A quoted field may hold a line break: one record, refused as a name of two lines.
                        '"c2@example.com";"Anna";"Nowak";"Firma\nS.A.";PL',
                        header="email;firstname;lastname;company_name;country", bom=True)
    imported = upload(content)
    assert imported.delimiter == ";" and imported.headers[0] == "email"
    result = run(imported, valid_only=True)
    assert result["counts"]["created"] == 1 and result["counts"]["rejected"] == 1
    client = Client.objects.get()
    assert (client.firstname, client.lastname, client.company_name) == ("Zażółć", "Gęślą; jaźń",
                                                                        'Firma "Cudzysłów" S.A.')
    (error,) = refresh(imported).errors
    assert error["line"] == 3 and "must be one line" in " ".join(error["messages"]).lower()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("email,firstname,lastname,country\r\nc@example.com,Zo\xe9,X,FR\r\n".encode("latin-1"), "not UTF-8"),
    (b"email,firstname,lastname,country\r\n", "no clients"),
    (b",,,\r\nx,y,z,w\r\n", "name the columns"),
    ((",".join(f"c{i}" for i in range(201)) + "\r\n" + ",".join("x" * 201) + "\r\n").encode(),
     "has 201 columns; a file of clients may have at most 200"),
    (("email,firstname," + "L" * 201 + ",country\r\nc@example.com,Zoe,X,FR\r\n").encode(),
     "The name of column 3 has 201 characters"),
])
def test_a_file_that_is_not_a_csv_of_clients_is_refused_and_nothing_is_kept(content, message):
    with pytest.raises(ValidationFailed) as refused:
        upload(content)
    assert message in refused.value.fields["file"][0]
    assert ClientImport.objects.count() == 0


def test_a_file_over_the_limit_is_refused(settings):
    settings.CLIENTPANEL_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        upload(csv_bytes(row(1), row(2)))
    assert "larger than" in refused.value.fields["file"][0]


# --- mapping ------------------------------------------------------------------------------------

def test_headers_of_other_panels_and_our_export_are_guessed():
    whmcs = ["First Name", "Last Name", "Company Name", "Email Address", "Address 1", "City", "State", "Postcode",
             "Country", "Phone Number", "Tax ID", "Currency", "Status", "Client Group", "Credit Balance"]
    assert guess_columns(whmcs) == ["firstname", "lastname", "company_name", "email", "address1", "city", "region",
                                    "postcode", "country", "phone", "tax_id", "currency", "status", "group", ""]
    ninja = ["Client Name", "Client Number", "ID Number", "VAT Number", "Postal Code", "Contact First Name",
             "Contact Last Name", "Contact Email"]
    assert guess_columns(ninja) == ["company_name", "number", "id_number", "tax_id", "postcode", "firstname",
                                    "lastname", "email"]
    perfex = ["company", "vat", "phonenumber", "zip", "state", "address", "firstname", "lastname", "email"]
    assert guess_columns(perfex) == ["company_name", "tax_id", "phone", "postcode", "region", "address1",
                                     "firstname", "lastname", "email"]
    # A field is guessed once: the second "email" column stays unmapped.
    assert guess_columns(["email", "E-mail"]) == ["email", ""]


def test_a_mapping_with_two_columns_for_one_field_or_without_a_required_field_is_refused():
    imported = upload(csv_bytes(row(1)))
    columns = list(imported.columns)
    columns[1] = "email"
    with pytest.raises(ValidationFailed) as refused:
        client_import_map(actor=None, import_id=imported.pk, columns=columns)
    assert "column_1" in refused.value.fields and "already fed by column 'email'" in refused.value.fields["column_1"][0]
    assert "First name" in refused.value.fields["columns"][0]
    assert mapping_problems(["a"], []) == {"columns": ["Choose a field (or none) for each of the 1 columns."]}


def test_a_saved_mapping_is_applied_to_the_next_file_by_header():
    from clientpanel.clients.imports import client_import_mapping_apply, client_import_mappings

    header = "Correo,Vorname,Nachname,Land"
    first = upload(csv_bytes("a@example.com,A,B,DE", header=header))
    assert first.columns == ["", "", "", ""]
    client_import_map(actor=None, import_id=first.pk, columns=["email", "firstname", "lastname", "country"],
                      save_as="German shop")
    second = upload(csv_bytes("DE,b@example.com,B,C", header="Land,Correo,Vorname,Nachname"))
    mapping = client_import_mappings().get()
    assert mapping.name == "German shop"
    second = client_import_mapping_apply(actor=None, import_id=second.pk, mapping_id=mapping.pk)
    assert second.columns == ["country", "email", "firstname", "lastname"]


# --- validation ---------------------------------------------------------------------------------

def test_every_rule_of_client_create_rejects_its_row_and_all_or_nothing_writes_nothing(events):
    User.objects.create_user("taken@example.com")  # a login that owns no client (a staff member, a user)
    before = rows_in_database()
    imported = upload(csv_bytes(
        row(1),
        row(2, tax_id="5260250996"),  # check digit
        row(3, phone="+48 12"),  # no such phone
        row(4, region="Bavaria"),  # not a Polish region
        row(5, currency="XYZ"),  # not enabled
        row(6, email="not-an-email"),
        row(7, email="TAKEN@example.com"),  # a user has it
        row(8, email="c1@example.com"),  # earlier in the file
        row(9, country="XX"),
        row(10, firstname=""),
        row(11, status="SLEEPING"),
        row(12, tax_id="DE136695976"),  # another country's VAT number
        row(13) + ",extra",  # too many fields
    ))
    result = run(imported)
    assert result["status"] == ClientImportStatus.REFUSED
    assert result["counts"]["rejected"] == 12 and result["counts"]["created"] == 0
    assert rows_in_database() == before
    assert events == []
    errors = {e["line"]: " ".join(e["messages"]) for e in refresh(imported).errors}
    assert sorted(errors) == list(range(3, 15))
    assert "tax_id: Not a valid Poland VAT number: its check digit is wrong." in errors[3]
    assert "phone:" in errors[4] and "region:" in errors[5] and "XYZ is not enabled" in errors[6]
    assert "valid email" in errors[7] and "already exists" in errors[8] and "line 2 of this file" in errors[9]
    assert "Unknown country code 'XX'" in errors[10] and "First name is required" in errors[11]
    assert "SLEEPING" in errors[12] and "another country (DE)" in errors[13] and "14 fields" in errors[14]


def test_valid_only_writes_the_valid_rows_and_keeps_the_rejected_ones_in_a_csv():
    imported = upload(csv_bytes(row(1), row(2, tax_id="=cmd|' /C calc'!A0"), row(3)))
    result = run(imported, valid_only=True)
    assert result["counts"]["created"] == 2 and result["counts"]["rejected"] == 1
    assert result["status"] == ClientImportStatus.IMPORTED
    assert Client.objects.count() == 2
    with rejected_rows_open(refresh(imported)) as handle:
        text = handle.read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [*HEADER.split(","), "Errors"]
    assert lines[1][0] == "c2@example.com" and lines[1][4].startswith("'=cmd")  # kept a formula-safe cell
    assert "tax_id:" in lines[1][-1]


def test_a_rejected_row_of_the_wrong_length_keeps_its_errors_under_the_errors_column():
    width = len(HEADER.split(","))
    long_row = row(2).rstrip("\r\n") + ",surplus-1,surplus-2\r\n"
    short_row = ",".join(row(3).rstrip("\r\n").split(",")[:3]) + "\r\n"
    imported = upload(csv_bytes(row(1), long_row, short_row))
    result = run(imported, valid_only=True)
    assert result["counts"]["created"] == 1 and result["counts"]["rejected"] == 2
    with rejected_rows_open(refresh(imported)) as handle:
        lines = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert lines[0][width] == "Errors"
    assert "fields" in lines[1][width] and lines[1][width + 1:] == ["surplus-1", "surplus-2"]
    assert lines[1][0] == "c2@example.com"
    assert len(lines[2]) == width + 1 and lines[2][width] and lines[2][0] == "c3@example.com"


def test_a_check_writes_nothing_and_previews_the_first_rows():
    imported = upload(csv_bytes(row(1), row(2, phone="+1 999")))
    result = run(imported, commit=False)
    assert result["status"] == ClientImportStatus.CHECKED
    assert result["counts"] | {} == {"created": 1, "updated": 0, "skipped": 0, "rejected": 1, "rows": 2, "valid": 1}
    assert rows_in_database() == (0, 0, 0, 0)
    preview = refresh(imported).preview
    assert [(p["line"], p["outcome"]) for p in preview] == [(2, "create"), (3, "rejected")]
    assert preview[0]["values"]["email"] == "c1@example.com"


def test_ten_thousand_bad_rows_keep_a_bounded_list_and_count_them_all():
    imported = upload(csv_bytes(*(row(n, country="XX") for n in range(10_000))))
    result = run(imported, commit=False)
    assert result["counts"]["rejected"] == 10_000
    kept = refresh(imported)
    assert len(kept.errors) == 100 and len(kept.preview) == 10


# --- existing clients ---------------------------------------------------------------------------

def test_running_the_same_file_twice_creates_nothing_new(events):
    content = csv_bytes(row(1), row(2))
    run(upload(content))
    second = run(upload(content))
    assert second["counts"]["created"] == 0 and second["counts"]["skipped"] == 2
    assert rows_in_database() == (2, 2, 2, 2)
    assert [e.name for e in events] == ["import.completed", "import.completed"]


def test_existing_clients_are_matched_by_number_then_by_owner_email(make_client):
    by_number = make_client(email="first@example.com")
    by_email = make_client(email="second@example.com")
    header = "number,email,firstname,lastname,country,city"
    content = csv_bytes(f"{by_number.number},First@Example.com,Ann,Changed,PL,Kraków",
                        ",second@example.com,Bob,Changed,PL,Gdańsk", header=header)
    result = run(upload(content), on_existing="update")
    assert result["counts"]["updated"] == 2 and result["counts"]["created"] == 0
    by_number.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_number.lastname, by_number.billing_city, by_number.owner.email) == ("Changed", "Kraków",
                                                                                  "first@example.com")
    assert (by_email.firstname, by_email.billing_city) == ("Bob", "Gdańsk")
    assert AuditEvent.objects.filter(action="client.update", client_id=by_number.pk).exists()


def test_refuse_rejects_rows_of_existing_clients_and_update_reports_their_errors(make_client):
    existing = make_client(email="first@example.com")
    content = csv_bytes(row(1, email="first@example.com"))
    refused = run(upload(content), on_existing="refuse")
    assert refused["counts"]["rejected"] == 1
    assert "already exists" in ClientImport.objects.order_by("-created_at").first().errors[0]["messages"][0]
    updated = run(upload(csv_bytes(row(1, email="first@example.com", tax_id="123"))), on_existing="update")
    assert updated["counts"]["rejected"] == 1
    existing.refresh_from_db()
    assert existing.tax_id == ""  # the refused update left nothing


def test_groups_are_matched_by_name_and_an_unknown_one_rejects_the_row():
    gold = ClientGroup.objects.create(name="Gold", currency="EUR")
    content = csv_bytes("a@example.com,A,A,PL,gold", "b@example.com,B,B,PL,Platinum",
                        header="email,firstname,lastname,country,group")
    result = run(upload(content), valid_only=True)
    assert result["counts"]["created"] == 1
    client = Client.objects.get()
    assert client.group == gold and client.currency == "EUR"


def test_the_command_dry_runs_by_default_and_exits_non_zero_on_rejected_rows(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(row(1), row(2)))
    call_command("import_clients", str(good))
    assert "2 to create" in capsys.readouterr().out and Client.objects.count() == 0
    call_command("import_clients", str(good), "--commit")
    assert "2 created" in capsys.readouterr().out and Client.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(row(3), row(4, country="XX")))
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_clients", str(bad), "--commit")
    assert exit_status.value.code == 1
    output = capsys.readouterr()
    assert "Line 3" in output.out + output.err and Client.objects.count() == 2
    with pytest.raises(SystemExit):
        call_command("import_clients", str(bad), "--commit", "--valid-only")
    assert Client.objects.count() == 3
    call_command("import_clients", str(good), "--commit", "--on-existing", "skip")
    assert "2 skipped" in capsys.readouterr().out
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Mail": "email", "Vorname": "firstname", "Nachname": "lastname", "Land": "country"}')
    german = tmp_path / "german.csv"
    german.write_bytes(csv_bytes("z@example.com,Z,Z,AT", header="Mail,Vorname,Nachname,Land"))
    call_command("import_clients", str(german), "--mapping", str(mapping), "--commit")
    assert Client.objects.filter(billing_country="AT").count() == 1
    with pytest.raises(SystemExit) as unreadable:
        call_command("import_clients", str(tmp_path / "missing.csv"))
    assert unreadable.value.code == 2


@given(st.text(max_size=12))
def test_a_cell_of_our_export_comes_back_as_it_was_written(text):
    """The export guards formulas and cells that would look guarded with a `'`; the import takes
    exactly that one away (a company named "'=Quoted" survives the round trip)."""
    assert strip_formula_guard(safe_cell(text)) == text


def test_an_import_that_cannot_keep_its_rejected_rows_writes_nothing_and_says_so(monkeypatch):
    from clientpanel.clients.imports import storage
    from clientpanel.core.errors import DomainError

    real = storage.store

    def store(name, content):
        if name.endswith("-rejected.csv"):
            raise DomainError("The file could not be stored; nothing was saved. Try again.", code="file_not_stored")
        return real(name, content)

    monkeypatch.setattr(storage, "store", store)
    imported = upload(csv_bytes(row(1), row(2, country="XX")))
    with pytest.raises(DomainError):
        run(imported, valid_only=True)
    assert refresh(imported).status == ClientImportStatus.FAILED
    assert rows_in_database() == (0, 0, 0, 0)  # the valid row was not kept either: the message is true
    assert not AuditEvent.objects.filter(action="client_import.commit").exists()


def test_a_nul_in_a_cell_past_the_first_64_kib_rejects_its_row_and_the_preview_keeps_it_readable():
    content = csv_bytes(row(1, company_name="x" * 70_000), row(2, lastname="No\x00wak"), row(3))
    imported = upload(content)
    checked = run(imported, commit=False)
    # The 70,000-character name is too long, the NUL is refused: two rejected rows, one valid.
    assert checked["status"] == ClientImportStatus.CHECKED and checked["counts"]["rejected"] == 2
    assert "No\ufffdwak" in str(refresh(imported).preview)
    committed = run(imported, valid_only=True)
    assert committed["status"] == ClientImportStatus.IMPORTED and committed["counts"]["created"] == 1


def test_an_import_whose_staff_member_is_gone_runs_as_nobody(staff):
    from clientpanel.clients.imports import clients_import_run
    from clientpanel.core.errors import PermissionDenied

    imported = upload(csv_bytes(row(1)), actor=staff)
    User.objects.filter(pk=staff.pk).update(is_staff=False)
    with pytest.raises(PermissionDenied):
        clients_import_run(progress=lambda *args: None, import_id=str(imported.pk), commit=True)
    imported = refresh(imported)
    assert imported.status == ClientImportStatus.FAILED and "can no longer import" in imported.error
    assert not Client.objects.exists()


@pytest.mark.parametrize(("content", "message"), [
    ("email,firstname\r\nc@example.com,Ann\r\n".encode("utf-16"), "UTF-16"),
    (b"email\tfirstname\tlastname\tcountry\r\nc@example.com\tAnn\tNowak\tPL\r\n", "separated by tabs"),
])
def test_utf16_and_tab_separated_files_are_named_for_what_they_are(content, message):
    with pytest.raises(ValidationFailed) as refused:
        upload(content)
    assert message in refused.value.fields["file"][0]
    assert not ClientImport.objects.exists()


def test_the_preview_keeps_a_long_cell_cut_short():
    imported = upload(csv_bytes(row(1, company_name="x" * 5000)))
    run(imported, commit=False)
    [shown] = refresh(imported).preview
    assert len(shown["values"]["company_name"]) == 201


@pytest.mark.parametrize(("name", "message"), [("\u202e", "Mapping name is required."),
                                               ("\u200b", "Mapping name is required."),
                                               ("shop\u202evsc", "text direction control U+202E"),
                                               ("Shop \u202aexport", "U+202A")])
def test_a_mapping_name_that_shows_nothing_or_reads_otherwise_is_refused(name, message):
    imported = upload(csv_bytes(row(1)))
    with pytest.raises(ValidationFailed) as refused:
        client_import_map(actor=None, import_id=imported.pk, columns=list(imported.columns), save_as=name)
    assert message in " ".join(refused.value.fields["save_as"])
    assert not client_import_mappings().exists()


@pytest.mark.parametrize(("bad_line", "encoding"), [(2, "latin-1"), (3001, "cp1250"), (7, "cp1250")])
def test_a_file_in_another_encoding_is_refused_naming_the_line_an_editor_shows(bad_line, encoding):
    """The text is decoded in chunks: the line is found again in the file, not guessed from the chunk."""
    lines = [row(n) for n in range(1, 4000)]
    lines[bad_line - 2] = row(bad_line - 1, firstname="Łucja Żółć")  # the header is line 1
    content = csv_bytes(*lines[:bad_line - 1]) + "\r\n".join(lines[bad_line - 1:]).encode() + b"\r\n"
    content = content.replace("Łucja Żółć".encode(), "Łucja Żółć".encode(encoding, errors="replace"))
    with pytest.raises(ValidationFailed) as refused:
        upload(content)
    assert f"near line {bad_line} is not UTF-8" in refused.value.fields["file"][0]
