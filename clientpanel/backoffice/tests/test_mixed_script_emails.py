"""The staff forms that take an e-mail address — Add New Client, Quick Create, Associate User, an
address, a new staff member — show a mixed-script domain's refusal (accounts.services.clean_email)
on the e-mail field and write nothing."""

from html import unescape

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.clients.models import Address, Client, ClientUser

from .test_client_form_rounds import _field_errors
from .test_views import CREATE_FORM

pytestmark = pytest.mark.django_db

SPOOF = "jan@exаmple.com"  # a Cyrillic "а"
REFUSAL = "“exаmple” in the email address's domain mixes alphabets (Latin, Cyrillic)"
HTMX = {"HX-Request": "true"}


def _rows():
    return Client.objects.count(), User.objects.count(), ClientUser.objects.count(), Address.objects.count()


def test_each_staff_form_shows_the_refusal_on_its_email_field(staff_client, make_client):
    client = make_client()
    before = _rows()
    posts = [
        (reverse("backoffice:client-create"), CREATE_FORM | {"email": SPOOF}, {}, "email"),
        (reverse("backoffice:client-quick-create"),
         {"quick-firstname": "Zoe", "quick-lastname": "Labadie", "quick-email": SPOOF, "quick-country": "US"}, HTMX,
         "quick-email"),
        (reverse("backoffice:client-user-associate", args=[client.pk]),
         {"email": SPOOF, "firstname": "J", "lastname": "K", "permissions": ["manage-services"]}, HTMX, "email"),
        (reverse("backoffice:address-create", args=[client.pk]),
         {"type": "SHIPPING", "name": "Office", "address1": "Długa 1", "city": "Gdańsk", "country": "PL",
          "region": "", "email": SPOOF}, HTMX, "email"),
        (reverse("backoffice:staff-create"), {"email": SPOOF, "password": "a-long-staff-passphrase"}, {}, "email"),
    ]
    for url, data, headers, field in posts:
        response = staff_client.post(url, data, headers=headers)
        assert "HX-Refresh" not in response and response.status_code == 200, url
        page = response.content.decode()
        assert REFUSAL in unescape(page), url
        assert field in _field_errors(page), (url, _field_errors(page))
    assert _rows() == before


def test_add_new_client_takes_a_one_script_international_domain(staff_client):
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {"email": "jan@пример.рф"})
    assert response.status_code == 302
    assert Client.objects.get().owner.email == "jan@xn--e1afmkfd.xn--p1ai"
