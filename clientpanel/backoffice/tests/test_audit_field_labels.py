"""The Activity tab names changed fields in words (issue 14, item 9; ui/audit_fields.py): "Credit
Limit", "Billing address · City", in the reader's language; an unknown key as it is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.audit.services import audit_record
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import address_update, client_update
from clientpanel.ui.audit_fields import audit_field_label

pytestmark = pytest.mark.django_db


def _shown_fields(page: str) -> list[str]:
    """The changed fields' words in the audit table, each with its code as the tooltip."""
    return re.findall(r'<strong title="([^"]*)">([^<]*)</strong>', page)


def test_the_activity_tab_names_changed_fields_in_words_with_the_code_as_tooltip(staff_client, make_client):
    client = make_client()
    client_update(actor=None, client_id=client.pk, data={"credit_limit": "250", "phone": "+48 22 123 45 67",
                                                          "payment_terms_days": 14})
    address_update(actor=None, client_id=client.pk, address_id=billing_address_of(client).pk,
                   data={"city": "Kraków"})
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    shown = dict(_shown_fields(page))
    assert shown["credit_limit"] == "Credit Limit" and shown["phone"] == "Phone"
    assert shown["payment_terms_days"] == "Payment terms (days)"  # settings keep their names
    assert shown["city"] == "City" and shown["billing_country"] == "Billing country"
    assert not any(code == words for code, words in _shown_fields(page) if code != "id")


def test_polish_staff_read_the_fields_in_polish(staff_client, staff, make_client):
    client = make_client()
    client_update(actor=None, client_id=client.pk, data={"credit_limit": "250"})
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert dict(_shown_fields(page))["credit_limit"] == "Limit kredytowy"


def test_a_field_of_the_billing_address_recorded_with_the_client_is_named_by_both(staff_client, make_client):
    client = make_client()
    audit_record(action="client.create", target=client, client_id=client.pk,
                 changes={"billing_address.city": [None, "Warszawa"], "billing_address.postcode": [None, "02-454"]})
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    shown = dict(_shown_fields(page))
    assert shown["billing_address.city"] == "Billing address · City"
    assert shown["billing_address.postcode"] == "Billing address · Postcode"


def test_an_unknown_key_is_shown_as_it_is():
    assert audit_field_label("frobnication_level") == "frobnication_level"
    assert audit_field_label("somewhere.city") == "somewhere.city"
    assert audit_field_label("billing_address.frob") == "Billing address · frob"
    assert audit_field_label("") == ""
    with translation.override("pl"):
        assert audit_field_label("billing_address.city") == "Adres rozliczeniowy · Miejscowość"
