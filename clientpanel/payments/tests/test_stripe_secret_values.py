"""A Stripe account names the environment variables that hold its secrets; Settings staff choose
the names. A name of a variable whose value everybody knows (LANG, DJANGO_SETTINGS_MODULE, HOME)
made that value the webhook signing secret, so whoever knew it signed "payment succeeded" events
that paid proformas (money no staff member with Finance recorded), and a secret key named so was
sent to Stripe. The variables must hold what Stripe issues: sk_/rk_ keys and whsec_ secrets —
checked when the account is saved and on every use, so an account saved before cannot sign."""

import json
import uuid

import pytest
from django.test import Client

from clientpanel.payments.gateways import NotVerified, get_gateway
from clientpanel.payments.models import GatewayAccount, GatewayEvent
from clientpanel.payments.services import notification_receive
from clientpanel.tax.selectors import default_home_company

from .stripe_fixtures import stripe_signature

pytestmark = pytest.mark.django_db
KNOWN = "config.settings.prod"  # DJANGO_SETTINGS_MODULE's value on every production server


@pytest.fixture
def variables(monkeypatch):
    monkeypatch.setenv("SHOP_STRIPE_KEY", "sk_test_x")
    monkeypatch.setenv("SHOP_STRIPE_HOOK", "whsec_x")
    monkeypatch.setenv("SHOP_KNOWN_VALUE", KNOWN)


def test_a_variable_that_holds_no_stripe_secret_is_refused(variables):
    stripe_gateway = get_gateway("stripe")
    good = {"secret_key_env": "SHOP_STRIPE_KEY", "webhook_secret_env": "SHOP_STRIPE_HOOK"}
    assert stripe_gateway.validate_settings(good) == {}
    hook = stripe_gateway.validate_settings({**good, "webhook_secret_env": "SHOP_KNOWN_VALUE"})
    assert "SHOP_KNOWN_VALUE does not hold a Stripe webhook signing secret" in hook["webhook_secret_env"][0]
    key = stripe_gateway.validate_settings({**good, "secret_key_env": "SHOP_KNOWN_VALUE"})
    assert "SHOP_KNOWN_VALUE does not hold a Stripe secret key" in key["secret_key_env"][0]
    assert KNOWN not in str(hook) + str(key)  # the value itself is never shown


def test_an_account_saved_before_cannot_be_signed_with_a_known_value(variables, client: Client):
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="stripe", settings={
        "secret_key_env": "SHOP_STRIPE_KEY", "webhook_secret_env": "SHOP_KNOWN_VALUE"})
    body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": "payment_intent.succeeded", "data": {"object": {
        "id": "pi_forged", "amount": 2460, "amount_received": 2460, "currency": "usd",
        "latest_charge": "ch_forged", "metadata": {}}}}).encode()
    headers = {"Stripe-Signature": stripe_signature(body, secret=KNOWN)}
    with pytest.raises(NotVerified):
        notification_receive(gateway_key="stripe", account_id=account.pk, body=body, headers=headers)
    answer = client.post(f"/portal/payments/notify/stripe/{account.pk}/", body, content_type="application/json",
                         headers=headers)
    assert answer.status_code == 400 and not GatewayEvent.objects.exists()
