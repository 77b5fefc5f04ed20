"""Settings → Add Funds limits: staff with Settings set a currency's own limits and remove them;
staff without Settings are refused; the portal's Add Funds page shows what applies."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.accounts.services import staff_create
from clientpanel.invoicing.models import AddFundsLimit
from clientpanel.invoicing.services import add_funds_limit_save

pytestmark = pytest.mark.django_db
URL = "/staff/settings/add-funds-limits/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "10000", "maximum_balance": "",
                                             "unpaid_at_once": 5}


def test_the_page_lists_every_currency_and_staff_set_and_remove_a_currencys_limits(staff_client):
    assert reverse("backoffice:add-funds-limits") == URL
    page = staff_client.get(URL).content.decode()
    assert 'id="limits-JPY"' in page and "¥10" in page and "the defaults" in page
    refused = staff_client.post(URL, {"currency": "JPY", "minimum": "1000.5", "maximum": "500",
                                      "maximum_balance": ""}).content.decode()
    assert "JPY amounts have no decimal places." in refused and 'value="1000.5"' in refused
    assert not AddFundsLimit.objects.exists()
    saved = staff_client.post(URL, {"currency": "JPY", "minimum": "1,000", "maximum": "1,500,000",
                                    "maximum_balance": ""}, follow=True).content.decode()
    assert "The Add Funds limits in JPY are saved" in saved and "¥1,500,000" in saved and "its own" in saved
    edit = staff_client.get(URL, {"currency": "JPY"}).content.decode()
    assert 'value="1000"' in edit and 'value="1500000"' in edit
    removed = staff_client.post(reverse("backoffice:add-funds-limit-remove", args=["JPY"]), follow=True)
    assert "keeps to the defaults" in removed.content.decode()
    assert not AddFundsLimit.objects.exists()
    assert staff_client.post(reverse("backoffice:add-funds-limit-remove", args=["JPY"])).status_code == 404


def test_staff_without_settings_neither_see_nor_change_the_limits(client):
    role = Group.objects.create(name="Finance only")
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts",
                                                   codename__in=[FINANCE, VIEW_CLIENTS]))
    client.force_login(staff_create(email="finance@example.com", password="correct-horse-battery",
                                    roles=[role.name]))
    add_funds_limit_save(actor=None, currency="KWD", minimum="3", maximum="3000")
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"currency": "JPY", "minimum": "1", "maximum": "2"}).status_code == 403
    assert client.post(reverse("backoffice:add-funds-limit-remove", args=["KWD"])).status_code == 403
    assert list(AddFundsLimit.objects.values_list("currency", flat=True)) == ["KWD"]
    assert URL not in client.get(reverse("backoffice:dashboard")).content.decode()  # not in the menu either


def test_a_portal_user_cannot_reach_the_settings_page(make_client):
    owner_client = make_client(currency="JPY", password="portal-user-passphrase")
    browser = Client()
    browser.force_login(owner_client.owner)
    answer = browser.post(URL, {"currency": "JPY", "minimum": "1", "maximum": "2"})
    assert answer.status_code in (302, 403) and not AddFundsLimit.objects.exists()


def test_the_portal_add_funds_page_shows_the_yen_limits_in_the_readers_language(make_client, settings):
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000", maximum_balance="3000000")
    owner_client = make_client(currency="JPY", language="pl", password="portal-user-passphrase")
    browser = Client()
    assert browser.post(reverse("portal:login"), {"email": owner_client.owner.email,
                                                  "password": "portal-user-passphrase"}).status_code == 302
    page = browser.get(reverse("portal:add-funds"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert ("Jednorazowo od 1 000 JPY do 1 500 000 JPY; saldo nie może przekroczyć 3 000 000 JPY."
            in page.replace("\xa0", " "))
    refused = browser.post(reverse("portal:add-funds"), {"amount": "999"}).content.decode()
    assert "Doładuj co najmniej 1 000 JPY." in refused.replace("\xa0", " ")
