"""Settings → Home companies → Online payments: staff with Settings add a gateway to a company,
say which currencies it takes and switch it off or remove it (audited); clients then see "Pay now"
only where a gateway takes the proforma's currency; staff see each attempt on the client's
Transactions tab; the demo data turns the test gateway on."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client as ClientRecord
from clientpanel.core.errors import Conflict, PermissionDenied, ValidationFailed
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateway_accounts import gateway_account_save
from clientpanel.payments.models import GatewayAccount, PaymentAttempt
from clientpanel.payments.services import payment_start
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def test_staff_add_set_and_remove_a_companys_gateway(staff_client):
    company = default_home_company()
    page = staff_client.get(reverse("backoffice:home-company-edit", args=[company.pk])).content.decode()
    assert "No gateway: clients pay by bank transfer" in page and 'value="test"' in page
    staff_client.post(reverse("backoffice:gateway-account-add", args=[company.pk]),
                      {"gateway": "test", "currencies": "usd, eur"})
    account = GatewayAccount.objects.get()
    assert account.currencies == ["EUR", "USD"] and account.enabled
    refused = staff_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, account.pk]),
                                {"gateway": "test", "enabled": "on", "currencies": "USD, XXX"}, follow=True)
    assert "Not a currency of this panel: XXX" in refused.content.decode()
    staff_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, account.pk]),
                      {"gateway": "test", "currencies": ""})  # switched off, every currency
    account.refresh_from_db()
    assert not account.enabled and account.currencies == []
    staff_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, account.pk]), {"action": "remove"})
    assert not GatewayAccount.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="gateway_account.").order_by("created_at")
                .values_list("action", flat=True)) == ["gateway_account.create", "gateway_account.update",
                                                       "gateway_account.delete"]


def test_only_staff_with_settings_set_up_gateways_and_bad_values_are_refused(client, staff):
    company = default_home_company()
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert client.post(reverse("backoffice:gateway-account-add", args=[company.pk]),
                       {"gateway": "test"}).status_code == 403
    with pytest.raises(PermissionDenied):
        gateway_account_save(actor=support, company_id=company.pk, gateway="test")
    with pytest.raises(ValidationFailed) as unknown:
        gateway_account_save(actor=staff, company_id=company.pk, gateway="paypal-ish")
    assert "gateway" in unknown.value.fields
    gateway_account_save(actor=staff, company_id=company.pk, gateway="test")
    with pytest.raises(Conflict):
        gateway_account_save(actor=staff, company_id=company.pk, gateway="test")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(reverse("backoffice:gateway-account-add", args=[company.pk]),
                       {"gateway": "bank_transfer"}).status_code == 403


def test_pay_now_only_where_a_gateway_takes_the_currency_and_staff_see_the_attempt(make_client, staff_client):
    company = default_home_company()
    owner_password = "portal-payer-passphrase"
    payer = make_client(currency="USD", company_name="Payer Ltd", password=owner_password)
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    browser = Client()
    browser.post(reverse("portal:login"), {"email": payer.owner.email, "password": owner_password})
    assert "Pay now" not in browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    account = gateway_account_save(actor=None, company_id=company.pk, gateway="test", currencies="EUR")
    assert "Pay now" not in browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    gateway_account_save(actor=None, company_id=company.pk, gateway="test", currencies="EUR, USD",
                         account_id=account.pk)
    assert "Pay now" in browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})
    attempt = PaymentAttempt.objects.get()
    tab = staff_client.get(reverse("backoffice:client-transactions", args=[payer.pk])).content.decode()
    assert 'id="payment-attempts"' in tab and proforma.number in tab and "Started" in tab
    assert attempt.started_by_label in tab


def test_the_demo_takes_payments_through_the_test_gateway():
    call_command("seed_demo", clients=3, verbosity=0)
    assert set(HomeCompany.objects.values_list("gateway_accounts__gateway", flat=True)) == {"test"}
    call_command("seed_demo", clients=3, verbosity=0)  # again: nothing added twice
    assert GatewayAccount.objects.count() == HomeCompany.objects.count()
    proforma = proforma_add_funds(actor=None, client_id=ClientRecord.objects.filter(status="ACTIVE").first().pk,
                                  net_amount="20")
    attempt, checkout = payment_start(actor=None, document_ids=[proforma.pk], account_id=None,
                                      return_url=lambda a: "/")
    assert checkout.redirect_url == reverse("portal:test-gateway", args=[attempt.pk])


def test_a_gateways_settings_are_json_checked_by_the_gateway_and_never_hold_a_secret(staff_client, monkeypatch):
    company = default_home_company()
    url = reverse("backoffice:gateway-account-add", args=[company.pk])
    not_json = staff_client.post(url, {"gateway": "stripe", "settings": "{nope"}, follow=True).content.decode()
    assert "Write the settings as a JSON object" in not_json
    # Nested past the JSON parser's recursion limit (RecursionError, not ValueError): it was a 500.
    too_deep = staff_client.post(url, {"gateway": "stripe", "settings": "[" * 3000}, follow=True)
    assert "Write the settings as a JSON object" in too_deep.content.decode() and not GatewayAccount.objects.exists()
    secret = staff_client.post(url, {"gateway": "stripe", "settings": '{"secret_key_env": "sk_live_abc123"}'},
                               follow=True).content.decode()
    assert "must never be stored here" in secret and not GatewayAccount.objects.exists()
    monkeypatch.setenv("SHOP_STRIPE_KEY", "sk_test_x")
    monkeypatch.setenv("SHOP_STRIPE_HOOK", "whsec_x")
    settings = '{"secret_key_env": "SHOP_STRIPE_KEY", "webhook_secret_env": "SHOP_STRIPE_HOOK"}'
    staff_client.post(url, {"gateway": "stripe", "currencies": "USD", "settings": settings})
    account = GatewayAccount.objects.get()
    assert account.settings == {"secret_key_env": "SHOP_STRIPE_KEY", "webhook_secret_env": "SHOP_STRIPE_HOOK"}
    page = staff_client.get(reverse("backoffice:home-company-edit", args=[company.pk])).content.decode()
    assert "SHOP_STRIPE_KEY" in page and "sk_test_x" not in page
    # Saving without settings keeps them.
    gateway_account_save(actor=None, company_id=company.pk, gateway="stripe", account_id=account.pk, enabled=False)
    account.refresh_from_db()
    assert account.settings["secret_key_env"] == "SHOP_STRIPE_KEY" and not account.enabled


def test_staff_resolve_a_held_payment_by_hand_and_later_news_changes_nothing(make_client, staff_client, client):
    from clientpanel.payments.gateways import SUCCEEDED, Notification
    from clientpanel.payments.models import AttemptStatus
    from clientpanel.payments.services import notification_apply

    gateway_account_save(actor=None, company_id=default_home_company().pk, gateway="test")
    payer = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    attempt, _ = payment_start(actor=None, document_ids=[proforma.pk], account_id=None, return_url=lambda a: "/")
    notification_apply(gateway_key="test", note=Notification(
        event_id="evt_short", kind=SUCCEEDED, reference=attempt.reference, transaction_id="txn_short",
        amount=attempt.amount - 1, currency="USD"))
    tab = staff_client.get(reverse("backoffice:client-transactions", args=[payer.pk])).content.decode()
    assert "Mark resolved" in tab
    url = reverse("backoffice:client-payment-resolve", args=[payer.pk, attempt.pk])
    refused = staff_client.post(url, {"note": ""}, follow=True).content.decode()
    assert "how the payment was settled" in refused
    staff_client.post(url, {"note": "Recorded 19.00 by hand on the proforma"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.RESOLVED and "Recorded 19.00 by hand" in attempt.error
    assert AuditEvent.objects.filter(action="payment_attempt.resolve", client_id=payer.pk).exists()
    again = staff_client.post(url, {"note": "twice"}, follow=True).content.decode()
    assert "Only a payment held for review" in again
    late = notification_apply(gateway_key="test", note=Notification(
        event_id="evt_late", kind=SUCCEEDED, reference=attempt.reference, transaction_id="txn_short",
        amount=attempt.amount, currency="USD"))
    assert late.outcome.startswith("already") and PaymentAttempt.objects.get(pk=attempt.pk).status == "RESOLVED"
    support = staff_create(email="support2@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert client.post(url, {"note": "x"}).status_code == 403
