"""A new client created in a group takes the group's currency and language (decisions.md): the Add
New Client page's language and currency start on a blank "the group's, else the default" choice,
so the rule in clients' cleaning is reached; a language or currency chosen there still wins. An
existing client's profile shows its own, with no blank choice."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import client_create

from .test_client_form_rounds import CREATE_FORM

pytestmark = pytest.mark.django_db


def _select(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', page, re.S)[0]


def _selected(page: str, name: str) -> str:
    return re.search(r'<option value="([^"]*)"[^>]*selected', _select(page, name))[1]


@pytest.fixture
def polish_group():
    return ClientGroup.objects.create(name="Polska", currency="PLN", language="pl")


def _created(staff_client, **fields) -> Client:
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "billing_country": "PL", **fields})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Client.objects.get(owner__email="new@example.com")


def test_the_add_page_starts_on_the_groups_language_and_currency(staff_client):
    page = staff_client.get(reverse("backoffice:client-create")).content.decode()
    assert _selected(page, "language") == "" and _selected(page, "currency") == ""
    assert '<option value="" selected>The group&#x27;s, else English</option>' in _select(page, "language")
    assert '<option value="" selected>The group&#x27;s, else USD</option>' in _select(page, "currency")
    assert '<option value="pl">' in _select(page, "language") and '<option value="EUR">' in _select(page, "currency")


def test_a_client_created_in_a_group_with_the_choices_left_takes_the_groups(staff_client, polish_group):
    client = _created(staff_client, group=str(polish_group.pk), language="", currency="")
    assert (client.currency, client.language, client.group_id) == ("PLN", "pl", polish_group.pk)


def test_a_language_and_currency_chosen_on_the_page_win_over_the_groups(staff_client, polish_group):
    client = _created(staff_client, group=str(polish_group.pk), language="en", currency="EUR")
    assert (client.currency, client.language) == ("EUR", "en")


def test_without_a_group_the_choices_left_are_the_systems_defaults(staff_client, settings):
    client = _created(staff_client, group="", language="", currency="")
    assert (client.currency, client.language) == (settings.CLIENTPANEL_DEFAULT_CURRENCY,
                                                  settings.CLIENTPANEL_DEFAULT_LANGUAGE)


def test_a_group_without_a_currency_gives_its_language_and_the_default_currency(staff_client, settings):
    group = ClientGroup.objects.create(name="Polish speakers", language="pl")
    client = _created(staff_client, group=str(group.pk), language="", currency="")
    assert (client.currency, client.language) == (settings.CLIENTPANEL_DEFAULT_CURRENCY, "pl")


def test_an_existing_clients_profile_shows_its_own_with_no_blank_choice(staff_client, polish_group, make_client):
    client = make_client(currency="EUR", language="en")
    page = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    assert _selected(page, "currency") == "EUR" and _selected(page, "language") == "en"
    assert '<option value=""' not in _select(page, "currency") + _select(page, "language")


def test_quick_create_takes_the_defaults_and_the_service_the_groups(staff_client, polish_group, settings):
    """Quick Create has no language, currency nor group: the defaults. The service the forms and
    the API call falls back to the group's when none is given."""
    response = staff_client.post(reverse("backoffice:client-quick-create"), {
        "quick-firstname": "Anna", "quick-lastname": "Nowak", "quick-email": "quick@example.com",
        "quick-country": "PL"})
    assert response.status_code in (200, 302), response.content.decode()[:3000]
    quick = Client.objects.get(owner__email="quick@example.com")
    assert (quick.currency, quick.language) == (settings.CLIENTPANEL_DEFAULT_CURRENCY,
                                                settings.CLIENTPANEL_DEFAULT_LANGUAGE)
    grouped = client_create(actor=None, data={
        "email": "grouped@example.com", "firstname": "Jan", "lastname": "Nowak", "group": polish_group.pk,
        "billing_address": {"country": "PL"}})
    assert (grouped.currency, grouped.language) == ("PLN", "pl")
