"""The staff panel's address modal marks the fields a shipping or service address cannot go without
(Address 1 and City, besides the type and country), as the portal's address book marks them: the
asterisk after the label and the required attribute on the input. A blank one is still sent on to
the service, which names every problem at once in its own words."""

import re

import pytest
from django.urls import reverse

from clientpanel.clients.models import AddressType

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _starred(page: str, name: str) -> bool:
    label = re.search(rf'<label[^>]*for="id_{name}"[^>]*>(.*?)</label>', page, re.S).group(1)
    return 'class="text-danger">*</span>' in label


def _marked(page: str, name: str) -> bool:
    """As the portal's test reads it: the asterisk, and the text input's required attribute."""
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return _starred(page, name) and " required" in field


def test_a_new_address_marks_street_and_city_required_as_the_portal_does(staff_client, make_client):
    client = make_client()
    page = staff_client.get(reverse("backoffice:address-create", args=[client.pk]), headers=HTMX).content.decode()
    assert _marked(page, "address1") and _marked(page, "city")
    assert _starred(page, "type") and _starred(page, "country")  # choices, required already
    for optional in ("name", "contact_name", "phone", "email", "address2", "postcode", "region"):
        assert not _marked(page, optional), optional


def test_the_billing_address_asks_for_no_street_or_city(staff_client, make_client):
    """A billing address may be a country alone (all tax needs): its street and city stay unmarked."""
    client = make_client()
    billing = client.addresses.get(type=AddressType.BILLING)
    page = staff_client.get(reverse("backoffice:address-edit", args=[client.pk, billing.pk]),
                            headers=HTMX).content.decode()
    assert _starred(page, "country")
    assert not _marked(page, "address1") and not _marked(page, "city")


def test_a_blank_street_and_city_are_named_by_the_service_with_every_other_problem(staff_client, make_client):
    client = make_client()
    refused = staff_client.post(reverse("backoffice:address-create", args=[client.pk]), {
        "type": "SHIPPING", "name": "Depot", "address1": "", "city": "", "country": "PL", "region": "Atlantis"},
        headers=HTMX).content.decode()
    assert "Enter the street and number." in refused and "Enter the city." in refused
    assert "is not a state or region of Poland" in refused and "This field is required." not in refused
    assert client.addresses.count() == 1
