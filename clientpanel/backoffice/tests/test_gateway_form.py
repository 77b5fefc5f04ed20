"""Settings → Home companies → Online payments: a refused gateway form comes back on a page of its
own with each reason under its field and everything typed kept; nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clientpanel.accounts import sudo
from clientpanel.payments.gateway_accounts import gateway_account_save
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def sudo_client(staff_client, staff):
    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    return staff_client


def test_a_refused_new_gateway_keeps_what_was_typed_and_says_why_under_each_field(sudo_client):
    company = default_home_company()
    typed_settings = '{"publishable_key": "pk_live_1", "webhook'
    response = sudo_client.post(reverse("backoffice:gateway-account-add", args=[company.pk]), {
        "gateway": "stripe", "currencies": "PLN, QQQ", "settings": typed_settings})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="gateway-currencies-errors"' in page and "QQQ" in page.split('id="gateway-currencies-errors"')[1]
    assert 'id="gateway-settings-errors"' in page
    assert 'value="PLN, QQQ"' in page
    assert "pk_live_1" in page  # the JSON typed, as typed (escaped), in the textarea
    assert '<option value="stripe" selected>' in page
    assert not GatewayAccount.objects.exists()


def test_a_refused_change_keeps_the_typing_and_leaves_the_gateway_as_it_was(sudo_client, staff):
    company = default_home_company()
    account = gateway_account_save(actor=staff, company_id=company.pk, gateway="test", currencies="PLN")
    response = sudo_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, account.pk]), {
        "gateway": "test", "currencies": "EUR, ZZZ", "settings": "{}"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'value="EUR, ZZZ"' in page and "ZZZ" in page.split('id="gateway-currencies-errors"')[1]
    assert 'id="gateway-enabled"' in page and 'id="gateway-enabled" checked' not in page  # unticked, as sent
    account.refresh_from_db()
    assert account.currencies == ["PLN"] and account.enabled


def test_the_refused_page_posts_back_and_a_corrected_form_is_saved(sudo_client, staff):
    company = default_home_company()
    url = reverse("backoffice:gateway-account-add", args=[company.pk])
    refused = sudo_client.post(url, {"gateway": "test", "currencies": "QQQ", "settings": ""})
    assert f'action="{url}"' in refused.content.decode()
    response = sudo_client.post(url, {"gateway": "test", "currencies": "PLN", "settings": ""})
    assert response.status_code == 302
    assert response.url.endswith(reverse("backoffice:home-company-edit", args=[company.pk]) + "#gateways-card")
    assert GatewayAccount.objects.get(home_company=company).currencies == ["PLN"]


def test_a_gateway_of_another_company_is_not_found_not_shown(sudo_client, staff):
    company = default_home_company()
    account = gateway_account_save(actor=staff, company_id=company.pk, gateway="test", currencies="")
    response = sudo_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk + 999, account.pk]),
                                {"gateway": "test", "currencies": "QQQ"}, follow=True)
    assert "no such gateway" in response.content.decode() or "not found" in response.content.decode().lower()
    assert 'id="gateway-form"' not in response.content.decode()


def test_settings_that_do_not_parse_are_kept_unless_they_hold_a_secret(sudo_client, staff):
    company = default_home_company()
    url = reverse("backoffice:gateway-account-add", args=[company.pk])
    typo = '{"secret_key_env": "STRIPE_SECRET_KEY", "webhook_secret_env": "STRIPE_WH",}'  # a trailing comma
    page = sudo_client.post(url, {"gateway": "stripe", "currencies": "", "settings": typo}).content.decode()
    assert "STRIPE_SECRET_KEY" in page and "webhook_secret_env" in page  # variables' names: kept
    typed_secrets = ('{"api_key": "hunter2-x"', "{'api_key': 'hunter2-x'}", '{api_key: "hunter2-x"}',
                     "api_key=hunter2-x")
    for secret in typed_secrets:
        page = sudo_client.post(url, {"gateway": "stripe", "currencies": "", "settings": secret})
        assert page.status_code == 422 and "hunter2-x" not in page.content.decode(), secret
    account = GatewayAccount.objects.create(home_company=company, gateway="test", currencies=["PLN"],
                                            settings={"checkout": "hosted"})  # stored before the settings rule
    edit = sudo_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, account.pk]), {
        "gateway": "test", "currencies": "ZZZ", "settings": '{"checkout": "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}'})
    assert "sk_live_" not in edit.content.decode() and "hosted" in edit.content.decode()  # the stored ones shown
