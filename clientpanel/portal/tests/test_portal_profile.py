"""The portal's Profile: the staff's validation, what was typed kept on errors, and nothing staff
alone decide changed whatever is posted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.clients.models import Client
from clientpanel.clients.selectors import billing_address_of

from .conftest import PASSWORD
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db


def _form(client, **changes):
    billing = billing_address_of(client)
    data = {"firstname": client.firstname, "lastname": client.lastname, "company_name": client.company_name,
            "tax_id": client.tax_id, "phone": client.phone, "country": billing.country, "region": billing.region,
            "city": billing.city, "postcode": billing.postcode, "address1": billing.address1,
            "address2": billing.address2}
    return data | changes


def test_profile_saves_and_shows_the_currency_without_editing_it(world):
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:profile")).content.decode()
    assert 'id="profile-currency"' in page and 'name="currency"' not in page
    saved = browser.post(reverse("portal:profile"), _form(world["mine"], company_name="Mine Sp. z o.o.",
                                                            city="Gdańsk"))
    assert saved.status_code == 302
    client = Client.objects.get(pk=world["mine"].pk)
    assert (client.company_name, client.billing_city) == ("Mine Sp. z o.o.", "Gdańsk")


def test_posting_credit_limit_or_status_changes_neither(world):
    browser = _signed_in(world["mine"].owner.email)
    before = Client.objects.get(pk=world["mine"].pk)
    browser.post(reverse("portal:profile"), _form(world["mine"], credit_limit="99999", status="FRAUD",
                                                  currency="EUR", admin_notes="mine now"))
    after = Client.objects.get(pk=world["mine"].pk)
    assert (after.credit_limit, after.status, after.currency, after.admin_notes) == (
        before.credit_limit, before.status, before.currency, before.admin_notes)
    assert after.credit_limit == Decimal("0")


def test_a_wrong_tax_id_is_refused_like_staffs_and_what_was_typed_is_kept(world):
    browser = _signed_in(world["mine"].owner.email)
    refused = browser.post(reverse("portal:profile"), _form(world["mine"], tax_id="PL5260250996",
                                                            city="Typed City")).content.decode()
    assert "is-invalid" in refused and 'value="PL5260250996"' in refused and 'value="Typed City"' in refused
    assert Client.objects.get(pk=world["mine"].pk).tax_id == world["mine"].tax_id


def test_a_refusal_says_what_is_wrong_on_each_field_never_the_fields_keys_in_polish(world, make_client):
    owner = make_client(currency="USD", company_name="Polska Sp. z o.o.", password=PASSWORD, language="pl")
    browser = _signed_in(owner.owner.email)
    refused = browser.post(reverse("portal:profile"), _form(owner, phone="123", region="Nowhere")).content.decode()
    assert "Taki numer telefonu nie istnieje" in refused and "nie jest województwem" in refused
    assert "Popraw pola zaznaczone poniżej." in refused
    assert "Niektóre pola" not in refused and "phone, region" not in refused
