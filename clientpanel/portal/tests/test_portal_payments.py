"""After a declined card the payment page says "Nothing was charged. You can try again." and offers
it: Pay now on the proformas of that payment still unpaid, which starts a new payment."""

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, GatewayAccount, PaymentAttempt
from clientpanel.payments.services import notification_receive
from clientpanel.tax.selectors import default_home_company

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_declined_payment_offers_to_pay_the_same_proformas_again(make_client):
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD", company_name="Payer Ltd", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    browser = Client()
    browser.post(reverse("portal:login"), {"email": payer.owner.email, "password": PASSWORD})
    browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})
    declined = PaymentAttempt.objects.get()
    browser.post(reverse("portal:test-gateway", args=[declined.pk]), {"outcome": "fail"})
    page = browser.get(reverse("portal:payment", args=[declined.pk])).content.decode()
    assert "Nothing was charged" in page
    assert 'id="pay-again"' in page and f'name="documents" value="{proforma.pk}"' in page

    again = browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})
    assert again.status_code == 302
    assert PaymentAttempt.objects.exclude(pk=declined.pk).get().status == AttemptStatus.STARTED

    browser.post(again["Location"], {"outcome": "succeed"})
    paid = browser.get(reverse("portal:payment", args=[declined.pk])).content.decode()
    assert 'id="pay-again"' not in paid  # the proforma is paid now: nothing to offer


def test_a_second_payment_of_a_paid_proforma_is_held_and_the_payer_is_told_the_truth(make_client):
    """Two payments started for one proforma both go through: the second cannot be applied (the
    proforma is paid) and is held. The payer is told so, and not to pay again — not that the
    proforma will be marked paid, which it already is."""
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD", company_name="Payer Ltd", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    browser = Client()
    browser.post(reverse("portal:login"), {"email": payer.owner.email, "password": PASSWORD})
    first = browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})["Location"]
    second = browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})["Location"]
    browser.post(first, {"outcome": "succeed"})
    # The second checkout is closed then (payments/siblings.py); the gateway's word that the payer
    # paid there all the same (it could not close in time) is held, not lost.
    late = PaymentAttempt.objects.get(pk=second.rstrip("/").split("/")[-1])
    assert late.status == AttemptStatus.CLOSED
    account = GatewayAccount.objects.get(gateway="test")
    body, headers = card.signed_event(account.pk, kind="payment.succeeded", reference=late.reference,
                                      amount=late.amount, currency=late.currency)
    notification_receive(gateway_key="test", account_id=account.pk, body=body, headers=headers)
    held = PaymentAttempt.objects.get(status=AttemptStatus.HELD)
    page = browser.get(reverse("portal:payment", args=[held.pk])).content.decode()
    assert 'id="payment-held"' in page and "do not pay again" in page
    assert "marked paid once" not in page
