"""Country lists in the reader's alphabetical order (issue 14, item 9; core/collation.py): in
English and in Polish, in the staff directory's filter, the client forms and the portal."""

from __future__ import annotations

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.ui.labels import country_choices

PASSWORD = "portal-user-passphrase"


# --- the country lists -------------------------------------------------------------------------------

def _names(language):
    with translation.override(language):
        return [name for _code, name in country_choices()]


def test_the_english_country_list_keeps_accented_names_in_their_place():
    names = _names("en")
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")
    assert names.index("Tunisia") < names.index("Türkiye") < names.index("Turkmenistan")
    assert names.index("Qatar") < names.index("Réunion") < names.index("Romania")
    assert names.index("Cuba") < names.index("Curaçao") < names.index("Cyprus")
    assert names[-1] == "Zimbabwe"


def test_the_polish_country_list_is_in_the_polish_alphabet():
    names = _names("pl")
    assert names.index("Litwa") < names.index("Luksemburg") < names.index("Łotwa") < names.index("Macedonia Północna")
    assert names.index("Sint Maarten (część holenderska)") < names.index("Słowacja") < names.index("Somalia")
    assert names.index("Panama") < names.index("Państwo Brunei") < names.index("Papua-Nowa Gwinea")
    assert names.index("Chorwacja") < names.index("Curaçao") < names.index("Cypr")
    assert names[-1] == "Zjednoczone Emiraty Arabskie"


def _options(page: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [name.strip() for value, name in re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]*)</option>', select)]


@pytest.mark.django_db
def test_polish_staff_read_the_directory_filter_and_the_create_form_in_polish_order(staff_client, staff):
    User.objects.filter(pk=staff.pk).update(language="pl")
    expected = _names("pl")
    directory = staff_client.get(reverse("backoffice:client-list")).content.decode()
    assert _options(directory, "country") == expected
    create = staff_client.get(reverse("backoffice:client-create")).content.decode()
    assert _options(create, "billing_country") == expected


@pytest.mark.django_db
def test_the_portal_profile_lists_countries_in_the_clients_language(make_client):
    client = make_client(language="pl", password=PASSWORD)
    User.objects.filter(pk=client.owner_id).update(language="pl")
    browser = Browser()
    browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD})
    page = browser.get(reverse("portal:profile")).content.decode()
    assert _options(page, "country") == _names("pl")
