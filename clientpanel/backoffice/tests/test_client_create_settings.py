"""Add New Client sets the client's own settings at once (group, payment terms, tax exemption,
reminders), as the API's create does: a client created tax-exempt was charged VAT on its first
proforma unless staff went to the Profile tab afterwards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clientpanel.clients.models import Client, ClientGroup

from .test_client_form_rounds import CREATE_FORM, _field_errors

pytestmark = pytest.mark.django_db


def test_a_new_client_keeps_the_settings_chosen_on_the_add_page(staff_client):
    group = ClientGroup.objects.create(name="Resellers")
    page = staff_client.get(reverse("backoffice:client-create")).content.decode()
    for name in ("group", "payment_terms_days", "tax_exempt", "reminders_enabled"):
        assert f'name="{name}"' in page
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "billing_country": "DE", "group": str(group.pk), "payment_terms_days": "21", "tax_exempt": "true",
        "reminders_enabled": "false"})
    assert response.status_code == 302
    client = Client.objects.get(owner__email="new@example.com")
    assert (client.group_id, client.payment_terms_days, client.tax_exempt, client.reminders_enabled) == (
        group.pk, 21, True, False)


def test_left_empty_they_inherit(staff_client):
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "billing_country": "DE", "group": "", "payment_terms_days": "", "tax_exempt": "", "reminders_enabled": ""})
    assert response.status_code == 302
    client = Client.objects.get(owner__email="new@example.com")
    assert (client.group_id, client.payment_terms_days, client.tax_exempt, client.reminders_enabled) == (
        None, None, None, None)


@pytest.mark.parametrize("field, value", [("payment_terms_days", "-3"), ("payment_terms_days", "abc"),
                                          ("group", "999999"), ("tax_exempt", "maybe")])
def test_a_bad_setting_is_said_under_its_field_and_nothing_is_created(staff_client, field, value):
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "billing_country": "DE", field: value})
    assert response.status_code == 200
    assert _field_errors(response.content.decode()).get(field), field
    assert not Client.objects.filter(owner__email="new@example.com").exists()
