"""A mixed-script e-mail domain (accounts.services.clean_email refuses it) through every client write that
takes an address: a new client's owner, a linked user, an address, a CSV import row — while an address
stored before the rule came is kept as it is when another field of it is edited."""

from __future__ import annotations

import csv
import io

import pytest

from clientpanel.accounts.models import User
from clientpanel.clients.imports import client_import_run, client_import_upload, rejected_rows_open
from clientpanel.clients.models import Address, AddressType, Client, ClientImport, ClientUser
from clientpanel.clients.services import address_create, address_update, client_create, client_user_link
from clientpanel.core.errors import ValidationFailed
from conftest import client_data

from .test_imports import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db

SPOOF = "jan@exаmple.com"  # a Cyrillic "а"


def _refusal(error: ValidationFailed, field: str = "email") -> str:
    return " ".join(error.fields[field])


def test_a_new_client_or_user_with_a_mixed_script_domain_is_refused_and_nothing_written(make_client):
    client = make_client()
    before = (Client.objects.count(), User.objects.count(), ClientUser.objects.count(), Address.objects.count())
    with pytest.raises(ValidationFailed) as owner:
        client_create(actor=None, data=client_data(email=SPOOF))
    assert "“exаmple” in the email address's domain mixes alphabets (Latin, Cyrillic)" in _refusal(owner.value)
    with pytest.raises(ValidationFailed) as linked:
        client_user_link(actor=None, client_id=client.pk, data={"email": SPOOF, "firstname": "J", "lastname": "K"})
    assert "mixes alphabets" in _refusal(linked.value)
    with pytest.raises(ValidationFailed) as address:
        address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "address1": "Main 1",
                                                               "city": "Leeds", "country": "GB", "email": SPOOF})
    assert "mixes alphabets" in _refusal(address.value)
    assert (Client.objects.count(), User.objects.count(), ClientUser.objects.count(),
            Address.objects.count()) == before


@pytest.mark.parametrize("email", ["jan@пример.рф", "user@例え.jp", "mueller@münchen.de"])
def test_a_client_with_a_one_script_international_domain_is_created(email):
    client = client_create(actor=None, data=client_data(email=email))
    assert client.owner.email == email.split("@")[0] + "@" + email.split("@")[1].encode("idna").decode()


def test_a_stored_mixed_script_address_is_kept_when_another_field_is_edited(make_client):
    client = make_client()
    billing = client.addresses.get(type=AddressType.BILLING)
    stored = "jan@xn--exmple-4nf.com"  # written before the rule, as it was then
    Address.objects.filter(pk=billing.pk).update(email=stored)
    # A form posts every field back: the address unchanged, typed in either form, is no new address.
    for typed in (stored, SPOOF):
        edited = address_update(actor=None, client_id=client.pk, address_id=billing.pk,
                                data={"email": typed, "city": "Kraków"})
        assert (edited.email, edited.city) == (stored, "Kraków")
    with pytest.raises(ValidationFailed) as changed:
        address_update(actor=None, client_id=client.pk, address_id=billing.pk, data={"email": "jan@gοogle.com"})
    assert "“gοogle”" in _refusal(changed.value) and "(Latin, Greek)" in _refusal(changed.value)
    assert Address.objects.get(pk=billing.pk).email == stored


def test_an_import_row_with_a_mixed_script_owner_email_is_rejected_with_the_reason_in_the_errors_csv():
    imported = client_import_upload(actor=None, file=io.BytesIO(csv_bytes(row(1), row(2, email=SPOOF), row(3))),
                                    name="clients.csv")
    ClientImport.objects.filter(pk=imported.pk).update(valid_only=True)
    result = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert result["counts"]["created"] == 2 and result["counts"]["rejected"] == 1
    assert not User.objects.filter(email="jan@xn--exmple-4nf.com").exists()
    with rejected_rows_open(ClientImport.objects.get(pk=imported.pk)) as handle:
        lines = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert lines[0] == [*HEADER.split(","), "Errors"]
    assert lines[1][0] == SPOOF
    assert "“exаmple” in the email address's domain mixes alphabets (Latin, Cyrillic)" in lines[1][-1]
