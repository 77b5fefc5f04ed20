from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from clientpanel.accounts.models import User
from clientpanel.clients.models import Address, AddressType, Client, ClientBalance, ViesStatus
from clientpanel.clients.services import (
    address_create,
    address_delete,
    address_update,
    client_create,
    client_update,
)
from clientpanel.core.errors import Conflict, NotFound, ValidationFailed
from conftest import client_data

pytestmark = pytest.mark.django_db


def _nothing_written():
    assert Client.objects.count() == 0
    assert Address.objects.count() == 0
    assert not User.objects.filter(is_staff=False).exists()


def test_create_makes_owner_billing_address_and_number_in_one_go():
    client = client_create(actor=None, data=client_data(
        email="Puqcloud@Gmail.com", company_name="My company name", tax_id="5260250995", phone="+48 22 123 45 67",
        credit_limit="9999999999.00", status="ACTIVE", password="a-long-passphrase-42"))
    assert client.number == "0001"
    assert client.display_name == "My company name"
    assert client.tax_id == "PL5260250995"
    assert client.phone == "+48221234567"
    assert client.credit_limit == Decimal("9999999999.0000")
    assert client.balance == Decimal("0")
    assert client.owner.email == "puqcloud@gmail.com"
    assert client.owner.check_password("a-long-passphrase-42")
    billing = client.addresses.get()
    assert (billing.type, billing.name, billing.region, billing.country) == ("BILLING", "Default", "PL-14", "PL")
    assert (client.billing_country, client.billing_city) == ("PL", "Warszawa")


def test_numbers_follow_the_pattern_in_order(settings):
    settings.CLIENTPANEL_CLIENT_NUMBER_PATTERN = "C-{YEAR}-{NUMBER:5}"
    first = client_create(actor=None, data=client_data())
    second = client_create(actor=None, data=client_data())
    assert first.number.endswith("-00001") and first.number.startswith("C-20")
    assert second.number.endswith("-00002")


def test_display_name_is_the_person_without_a_company():
    client = client_create(actor=None, data=client_data(firstname="Isac", lastname="Mann"))
    assert client.display_name == "Isac Mann"


def test_owner_without_password_cannot_log_in_until_one_is_set():
    client = client_create(actor=None, data=client_data())
    assert not client.owner.has_usable_password()


def test_every_bad_field_is_reported_at_once_and_nothing_is_written():
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=client_data(
            email="not-an-email", firstname="", tax_id="PL5260250996", currency="JPY", language="xx",
            credit_limit="-1", status="SLEEPING", phone="12", billing_address={"country": "ZZ"}))
    fields = failure.value.fields
    assert set(fields) >= {"email", "firstname", "currency", "language", "credit_limit", "status", "phone",
                           "billing_address.country"}
    assert "negative" in fields["credit_limit"][0]
    _nothing_written()


def test_tax_id_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=client_data(tax_id="PL5260250996"))
    assert "check digit" in failure.value.fields["tax_id"][0]
    _nothing_written()


def test_duplicate_owner_email_in_any_case_is_refused():
    client_create(actor=None, data=client_data(email="owner@example.com"))
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=client_data(email="OWNER@Example.COM"))
    assert failure.value.fields["email"] == ["A user with this email address already exists."]
    assert Client.objects.count() == 1


def test_region_outside_the_country_is_refused():
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=client_data(billing_address={"country": "PL", "region": "Texas"}))
    assert "not a state or region of Poland" in failure.value.fields["billing_address.region"][0]


def test_oversized_text_is_refused_with_the_limit():
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=client_data(company_name="x" * 256))
    assert "at most 255 characters" in failure.value.fields["company_name"][0]


def test_names_and_address_lines_are_one_line_and_notes_may_run_over_several():
    # The panel's forms, the portal and the CSV import reach these services without the API's
    # one-line schema: "Anna\nNowak" was stored, and broke the PDFs' and exports' layout.
    bad = client_data(firstname="Anna\nMaria", company_name="Nowak\tS.A.", admin_notes="Line one\r\nLine two",
                      tax_id="12-34\n56789",
                      billing_address={"country": "US", "city": "Łódź\r\nBałuty", "address1": "ul. Długa 8",
                                       "region": "New\nYork"})
    with pytest.raises(ValidationFailed) as failure:
        client_create(actor=None, data=bad)
    assert set(failure.value.fields) == {"firstname", "company_name", "tax_id", "billing_address.city",
                                         "billing_address.region"}
    assert "First name: must be one line" in failure.value.fields["firstname"][0]
    assert not Client.objects.exists()
    client = client_create(actor=None, data=client_data(admin_notes="Line one\r\nLine two"))
    with pytest.raises(ValidationFailed) as failure:
        client_update(actor=None, client_id=client.pk, data={"lastname": "Nowak\nKowalska"})
    assert "lastname" in failure.value.fields
    with pytest.raises(ValidationFailed) as failure:
        address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL", "city": "Łódź",
                                                               "address1": "ul. Długa\n8", "notes": "Gate\n1234"})
    assert set(failure.value.fields) == {"address1"}
    noted = address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL", "city": "Łódź",
                                                                  "address1": "ul. Długa 8", "notes": "Gate\n1234"})
    assert noted.notes == "Gate\n1234"


def test_update_changes_only_given_fields_and_tax_id_change_resets_vies():
    client = client_create(actor=None, data=client_data(tax_id="PL5260250995"))
    Client.objects.filter(pk=client.pk).update(vies_status=ViesStatus.VALID)
    updated = client_update(actor=None, client_id=client.pk, data={"company_name": "Zenith", "tax_id": "PL7740001454"})
    assert updated.display_name == "Zenith"
    assert updated.firstname == client.firstname
    assert updated.vies_status == ViesStatus.UNCHECKED
    assert "zenith" in updated.search_text


def test_update_refuses_bad_values_and_keeps_the_old_ones():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(ValidationFailed):
        client_update(actor=None, client_id=client.pk, data={"lastname": "", "credit_limit": "abc"})
    client.refresh_from_db()
    assert client.lastname.startswith("Polovyi")


def test_update_of_unknown_client_is_not_found():
    with pytest.raises(NotFound):
        client_update(actor=None, client_id="00000000-0000-0000-0000-000000000000", data={})


def test_second_billing_address_is_refused():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(ValidationFailed, match="fields"):
        address_create(actor=None, client_id=client.pk, data={"type": "BILLING", "country": "PL"})
    assert client.addresses.count() == 1


def test_billing_address_cannot_be_deleted_or_retyped():
    client = client_create(actor=None, data=client_data())
    billing = client.addresses.get()
    with pytest.raises(Conflict, match="cannot be deleted"):
        address_delete(actor=None, client_id=client.pk, address_id=billing.pk)
    with pytest.raises(ValidationFailed):
        address_update(actor=None, client_id=client.pk, address_id=billing.pk, data={"type": "SHIPPING"})
    assert client.addresses.get().type == AddressType.BILLING


def test_shipping_address_cannot_become_billing():
    client = client_create(actor=None, data=client_data())
    shipping = address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL",
                                                                      "address1": "Long 1", "city": "Gdańsk"})
    with pytest.raises(ValidationFailed):
        address_update(actor=None, client_id=client.pk, address_id=shipping.pk, data={"type": "BILLING"})


def test_only_one_default_shipping_address():
    client = client_create(actor=None, data=client_data())
    first = address_create(actor=None, client_id=client.pk,
                           data={"type": "SHIPPING", "country": "PL", "is_default": True, "name": "Office",
                                 "address1": "Long 1", "city": "Gdańsk"})
    second = address_create(actor=None, client_id=client.pk,
                            data={"type": "SHIPPING", "country": "DE", "is_default": True, "name": "Warehouse",
                                  "address1": "Hafen 2", "city": "Hamburg"})
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    address_update(actor=None, client_id=client.pk, address_id=first.pk, data={"is_default": True})
    second.refresh_from_db()
    assert second.is_default is False


def test_service_address_cannot_be_default():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(ValidationFailed, match="fields"):
        address_create(actor=None, client_id=client.pk, data={"type": "SERVICE", "country": "PL", "is_default": True})


def test_database_refuses_a_second_billing_address_even_without_the_service():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(client=client, type=AddressType.BILLING, country="PL")


def test_database_refuses_negative_credit_limit():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.filter(pk=client.pk).update(credit_limit=Decimal("-1"))


def test_billing_country_change_updates_the_directory_columns_and_checks_tax_id():
    client = client_create(actor=None, data=client_data(tax_id="PL5260250995"))
    billing = client.addresses.get()
    with pytest.raises(ValidationFailed) as failure:
        address_update(actor=None, client_id=client.pk, address_id=billing.pk, data={"country": "DE", "region": ""})
    assert "tax ID" in failure.value.fields["country"][0]
    client_update(actor=None, client_id=client.pk, data={"tax_id": ""})
    address_update(actor=None, client_id=client.pk, address_id=billing.pk,
                   data={"country": "DE", "region": "Bayern", "city": "München"})
    client.refresh_from_db()
    assert (client.billing_country, client.billing_city) == ("DE", "München")


def test_amount_field_sums_exactly():
    # SQLite summed 100,000 × 0.1 to 10000.0000000188 with decimals; integers are exact.
    owners = User.objects.bulk_create([User(email=f"sum{i}@example.com") for i in range(300)])
    made = Client.objects.bulk_create([
        Client(number=f"S{i}", owner=o, firstname="A", lastname="B", display_name="A B", language="en",
               currency="USD", billing_country="PL", credit_limit=Decimal("0.1"))
        for i, o in enumerate(owners)
    ])
    ClientBalance.objects.bulk_create([ClientBalance(client=c, currency="USD", balance=Decimal("0.0001"))
                                       for c in made])
    totals = Client.objects.aggregate(limit=Sum("credit_limit"), balance=Sum("balance_row__balance"))
    assert totals == {"limit": Decimal("30.0000"), "balance": Decimal("0.0300")}


def test_a_shipping_address_without_street_or_city_is_refused_with_field_errors():
    client = client_create(actor=None, data=client_data())
    with pytest.raises(ValidationFailed) as refused:
        address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL", "address1": "",
                                                              "city": ""})
    assert set(refused.value.fields) == {"address1", "city"}
    shipping = address_create(actor=None, client_id=client.pk,
                              data={"type": "SHIPPING", "country": "PL", "address1": "Długa 1", "city": "Gdańsk"})
    with pytest.raises(ValidationFailed) as blanked:
        address_update(actor=None, client_id=client.pk, address_id=shipping.pk, data={"city": ""})
    assert set(blanked.value.fields) == {"city"}
    assert client.addresses.count() == 2


@pytest.mark.parametrize("typed", ["jan@exаmple.com", "jаn@example.com", "JAN@ＥＸＡＭＰＬＥ.com", "jan@bücher.de"])
def test_an_address_email_is_read_as_a_users_email_is(typed):
    # One rule (accounts.services.clean_email) for both, through clean_address: an audit took address
    # emails for laxer than users' about look-alike domains. Whatever one stores or refuses, so does the other.
    from clientpanel.clients.services import client_user_link

    client = client_create(actor=None, data=client_data())
    outcomes = []
    for write in (lambda: client_user_link(actor=None, client_id=client.pk, data={
                      "email": typed, "firstname": "A", "lastname": "B"}).user.email,
                  lambda: address_create(actor=None, client_id=client.pk, data={
                      "type": "SHIPPING", "address1": "Main 1", "city": "Leeds", "country": "GB",
                      "email": typed}).email,
                  lambda: address_update(actor=None, client_id=client.pk, address_id=client.addresses.get(
                      type=AddressType.BILLING).pk, data={"email": typed}).email):
        try:
            with transaction.atomic():
                outcomes.append(write())
        except ValidationFailed as error:
            outcomes.append(error.fields["email"])
    assert outcomes[0] == outcomes[1] == outcomes[2], outcomes
