"""Every gateway's settings: only the settings the gateway reads, never a secret, and each refusal
says which setting it is about."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from clientpanel.core.errors import ValidationFailed
from clientpanel.payments.gateway_accounts import gateway_account_save
from clientpanel.payments.gateways.settings_checks import secret_looking
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _refused(gateway: str, settings: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        gateway_account_save(actor=None, company_id=default_home_company().pk, gateway=gateway, settings=settings)
    return " ".join(refused.value.fields["settings"])


@pytest.mark.parametrize("gateway", ["bank_transfer", "test", "stripe"])
@pytest.mark.parametrize("settings", ['{"api_token": "tok-9f8e7d"}', '{"passphrase": "correct horse"}',
                                      '{"checkout": "stripe", "note": ["rk_test_51Xyz"]}',
                                      '{"pem": "-----BEGIN EC PRIVATE KEY-----\\nMHc"}'])
def test_no_gateway_keeps_a_secret(gateway, settings):
    said = _refused(gateway, settings)
    assert "A secret must never be stored" in said and "tok-9f8e7d" not in said
    assert not GatewayAccount.objects.exists()


@pytest.mark.parametrize("gateway", ["bank_transfer", "test"])
def test_a_gateway_without_settings_takes_none(gateway):
    said = _refused(gateway, '{"iban_label": "Main account", "colour": 3}')
    assert "takes no settings: colour is not one" in said and "iban_label is not one" in said
    assert not GatewayAccount.objects.exists()
    assert gateway_account_save(actor=None, company_id=default_home_company().pk, gateway=gateway,
                                settings="{}").settings == {}


def test_stripe_names_the_setting_it_does_not_have_and_each_one_it_refuses(monkeypatch):
    monkeypatch.delenv("NO_SUCH_SHOP_KEY", raising=False)
    said = _refused("stripe", '{"region": "eu", "webhook_secret_env": "lowercase"}')
    assert "Card (Stripe) has no setting named region; its settings are: api_base, checkout" in said
    assert "secret_key_env: Name the environment variable holding it" in said
    assert "webhook_secret_env: Name the environment variable holding it" in said
    said = _refused("stripe", '{"secret_key_env": "NO_SUCH_SHOP_KEY", "api_base": "https://example.com"}')
    assert "secret_key_env: The environment variable NO_SUCH_SHOP_KEY is not set" in said
    assert "api_base: Only a Stripe emulator" in said


def test_variables_names_are_no_secrets():
    assert not secret_looking({"secret_key_env": "SHOP_KEY", "webhook_secret_env": "SHOP_HOOK", "checkout": "stripe"})
    assert secret_looking({"webhook_secret": "anything"}) and secret_looking({"a": {"password": ""}})


def test_the_staff_panel_shows_which_setting_is_refused_and_saves_nothing(staff_client):
    url = reverse("backoffice:gateway-account-add", args=[default_home_company().pk])
    page = staff_client.post(url, {"gateway": "stripe", "settings": "{}"}, follow=True)
    text = unescape(page.content.decode())
    assert page.status_code == 422  # the form again, on a page of its own (backoffice/views/gateways.py)
    assert "secret_key_env: Name the environment variable" in text
    assert "webhook_secret_env: Name the environment variable" in text
    page = staff_client.post(url, {"gateway": "bank_transfer", "settings": '{"login": "me", "pin": "0000"}'},
                             follow=True)
    text = unescape(page.content.decode())
    assert page.status_code == 422 and "takes no settings: login is not one" in text and "pin is not one" in text
    page = staff_client.post(url, {"gateway": "test", "settings": '{"webhook_key": "sk_test_4eC39HqLyjWDarjtT1"}'},
                             follow=True)
    text = unescape(page.content.decode())
    assert "A secret must never be stored" in text and "sk_test_4eC39HqLyjWDarjtT1" not in text
    page = staff_client.post(url, {"gateway": "test", "settings": '{"password": "hunter2-hunter2"'}, follow=True)
    assert "hunter2" not in page.content.decode()  # refused as broken JSON, and a secret's name: not shown back
    assert not GatewayAccount.objects.exists()


def test_settings_stored_before_the_rule_and_sent_back_as_they_are_let_the_account_be_switched_off():
    company = default_home_company()
    account = GatewayAccount.objects.create(home_company=company, gateway="bank_transfer",
                                            settings={"iban_label": "Main account"})  # stored before the rule
    off = gateway_account_save(actor=None, company_id=company.pk, gateway="bank_transfer", enabled=False,
                               settings='{"iban_label": "Main account"}', account_id=account.pk)
    assert not off.enabled and off.settings == {"iban_label": "Main account"}
    with pytest.raises(ValidationFailed) as refused:  # changed settings are held to the rule
        gateway_account_save(actor=None, company_id=company.pk, gateway="bank_transfer", enabled=False,
                             settings='{"iban_label": "Main account", "password": "hunter2"}', account_id=account.pk)
    assert "A secret must never be stored" in " ".join(refused.value.fields["settings"])
    assert GatewayAccount.objects.get(pk=account.pk).settings == {"iban_label": "Main account"}
