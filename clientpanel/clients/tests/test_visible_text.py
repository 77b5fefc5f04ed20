"""Text that shows nothing is no name, no company, no address line: zero-width and other invisible
format characters alone are refused wherever a client's text is cleaned (create, update, addresses,
users, groups, the CSV import's rows), required or not. Spaces alone (no-break, ideographic) are
stripped to nothing: an optional field is then empty, a required one refused."""

from __future__ import annotations

import io

import pytest

from clientpanel.clients.imports import client_import_run, client_import_upload
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.services import address_create, address_update, client_create, client_update, group_save
from clientpanel.core.errors import ValidationFailed
from conftest import client_data

pytestmark = pytest.mark.django_db

# Each shows nothing: zero-width space, word joiner, zero-width joiner, BOM, and mixes with spaces.
INVISIBLE = ["\u200b", "\u2060", "\u200d", "\ufeff", "\u200b\u200b", "\u2060\u200d", " \u200b\ufeff ",
             "\u00a0\u200b\u3000"]
SPACES = ["\u00a0", "\u3000", "\u00a0\u3000 "]
CLIENT_TEXT = ["firstname", "lastname", "company_name", "id_number", "admin_notes", "public_notes"]
ADDRESS_TEXT = ["name", "contact_name", "address1", "address2", "city", "postcode", "notes"]


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.fields


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", CLIENT_TEXT)
def test_a_new_client_with_invisible_text_is_refused_and_nothing_is_written(field, text):
    fields = refusal(lambda: client_create(actor=None, data=client_data(**{field: text})))
    assert field in fields, fields
    assert not Client.objects.exists()


@pytest.mark.parametrize("text", INVISIBLE)
def test_an_invisible_company_name_is_refused_so_the_display_name_always_shows(make_client, text):
    client = make_client(company_name="Acme")
    fields = refusal(lambda: client_update(actor=None, client_id=client.pk, data={"company_name": text}))
    assert "Company name shows no visible character" in fields["company_name"][0]
    client.refresh_from_db()
    assert (client.company_name, client.display_name) == ("Acme", "Acme")


@pytest.mark.parametrize("text", SPACES)
def test_spaces_alone_leave_an_optional_field_empty_and_a_required_one_refused(make_client, text):
    client = make_client(company_name="Acme")
    client_update(actor=None, client_id=client.pk, data={"company_name": text})
    client.refresh_from_db()
    assert client.company_name == "" and client.display_name == f"{client.firstname} {client.lastname}"
    assert "firstname" in refusal(lambda: client_update(actor=None, client_id=client.pk, data={"firstname": text}))


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", ADDRESS_TEXT)
def test_an_address_with_invisible_text_is_refused(make_client, field, text):
    client = make_client()
    data = {"type": AddressType.SHIPPING, "country": "PL", "address1": "Main Street 1", "city": "Kraków",
            field: text}
    assert field in refusal(lambda: address_create(actor=None, client_id=client.pk, data=data))
    billing = Address.objects.get(client=client, type=AddressType.BILLING)
    before = getattr(billing, field)
    assert field in refusal(lambda: address_update(actor=None, client_id=client.pk, address_id=billing.pk,
                                                   data={field: text}))
    billing.refresh_from_db()
    assert getattr(billing, field) == before


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_new_clients_billing_address_with_invisible_text_is_refused(text):
    data = client_data(billing_address={"city": text, "address1": text})
    fields = refusal(lambda: client_create(actor=None, data=data))
    assert {"billing_address.city", "billing_address.address1"} <= set(fields), fields


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_group_named_with_invisible_text_is_refused(text):
    assert "name" in refusal(lambda: group_save(actor=None, data={"name": text}))


@pytest.mark.parametrize("text", INVISIBLE[:4])
def test_an_imported_row_with_an_invisible_client_number_or_name_is_rejected(text):
    content = ("number,email,firstname,lastname,company_name,country\r\n"
               f"{text},a@example.com,Anna,Nowak,,PL\r\nC-2,b@example.com,Ewa,Lis,{text},PL\r\n").encode()
    imported = client_import_upload(actor=None, file=io.BytesIO(content), name="clients.csv")
    result = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert result["counts"]["rejected"] == 2 and not Client.objects.exists()
