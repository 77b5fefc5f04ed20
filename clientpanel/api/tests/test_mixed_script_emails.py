"""The API refuses a mixed-script e-mail domain (accounts.services.clean_email) wherever it takes an
address — a new client's owner, a user, a linked user, an address — as a 422 naming the field, and
writes nothing."""

import pytest

from clientpanel.accounts.models import User
from clientpanel.clients.models import Address, Client, ClientUser
from conftest import client_data

pytestmark = pytest.mark.django_db

SPOOF = "jan@exаmple.com"  # a Cyrillic "а"
REFUSAL = "“exаmple” in the email address's domain mixes alphabets (Latin, Cyrillic)"


def _rows():
    return Client.objects.count(), User.objects.count(), ClientUser.objects.count(), Address.objects.count()


def _refused(response, field="email"):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert REFUSAL in " ".join(error["fields"][field])


def test_every_endpoint_that_takes_an_address_refuses_a_mixed_script_domain(api, make_client):
    client = make_client()
    before = _rows()
    _refused(api.post("/clients", client_data(email=SPOOF)))
    _refused(api.post("/clients", client_data(billing_address={"email": SPOOF})), "billing_address.email")
    _refused(api.post("/users", {"email": SPOOF, "firstname": "J", "lastname": "K"}))
    _refused(api.post(f"/clients/{client.pk}/users", {"email": SPOOF, "firstname": "J", "lastname": "K"}))
    _refused(api.post(f"/clients/{client.pk}/addresses", {"type": "SHIPPING", "address1": "Main 1", "city": "Leeds",
                                                          "country": "GB", "email": SPOOF}))
    billing = client.addresses.get()
    _refused(api.patch(f"/clients/{client.pk}/addresses/{billing.pk}", {"email": SPOOF}))
    assert _rows() == before


@pytest.mark.parametrize("email, stored", [("jan@пример.рф", "jan@xn--e1afmkfd.xn--p1ai"),
                                           ("user@例え.jp", "user@xn--r8jz45g.jp")])
def test_a_one_script_international_domain_is_accepted(api, email, stored):
    created = api.post("/clients", client_data(email=email))
    assert created.status_code == 201, created.content
    assert created.json()["owner"]["email"] == stored
