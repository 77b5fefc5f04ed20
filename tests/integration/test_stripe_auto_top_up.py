"""Auto top-up through Stripe (issue 15, item 4), end to end against localstripe: a client keeps a
Visa card when paying on the test cards page, its service falls due, and the `auto_top_up` job
charges the kept card off-session once — the Add Funds proforma is paid, the receipt goes out, and
Stripe's own webhook for that payment, arriving later, changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.invoicing.models import DocumentStatus, Payment
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.notifications.models import EmailMessage
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.models import AttemptStatus, GatewayAccount, PaymentAttempt, SavedMethod
from clientpanel.payments.tests.stripe_fixtures import localstripe, stripe_signature  # noqa: F401
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db

D = Decimal
PASSWORD = "portal-payer-passphrase"


def deliver(account, event: dict) -> int:
    body = json.dumps(event).encode()
    return Browser().post(reverse("portal:payment-notify", args=["stripe", account.pk]), body,
                          content_type="application/json",
                          headers={"Stripe-Signature": stripe_signature(body)}).status_code


@pytest.fixture
def stripe_client_due(make_client, localstripe):  # noqa: F811
    """A client with no money, a 30.00 monthly service whose next period starts in two days, and
    Stripe (localstripe) as its home company's card gateway."""
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="stripe",
                                            settings=localstripe.settings())
    client = make_client(currency="USD", password=PASSWORD)
    now = timezone.now()
    Service.objects.create(client=client, product=Product.objects.create(key="vps", name="VPS", module="manual"),
                           label="AAAAA1", currency="USD", period="MONTHLY", amount=D("30.00"), order_date=now,
                           activation_date=now, setup_fee=D(0), status=ServiceStatus.ACTIVE,
                           provision_status=ProvisionStatus.COMPLETED, billed_until=now + dt.timedelta(days=2))
    return {"client": client, "account": account, "stripe": localstripe}


def test_a_kept_stripe_card_is_charged_once_by_the_auto_top_up_job(stripe_client_due):
    client, account, server = stripe_client_due["client"], stripe_client_due["account"], stripe_client_due["stripe"]
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD}).status_code == 302
    first = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    to_stripe = browser.post(reverse("portal:pay"), {"documents": [first.pk]})
    assert "Pay with Visa 4242 and keep the card" in browser.get(to_stripe["Location"]).content.decode()
    browser.post(to_stripe["Location"], {"card": "visa_keep"})
    kept = PaymentAttempt.objects.get()
    assert deliver(account, server.event_for("payment_intent.succeeded", kept.reference)) == 200
    method = SavedMethod.objects.get(client=client)
    assert method.is_default and method.label == "Visa •••• 4242"

    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    now = timezone.now()
    assert job_auto_top_up(now=now) == {"charged": 1, "failed": 0}
    attempt = PaymentAttempt.objects.get(idempotency_key__startswith=KEY)
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.amount == D("50")
    assert attempt.reference.startswith("pi_")
    intent = server.get(f"/v1/payment_intents/{attempt.reference}")
    assert intent["status"] == "succeeded" and intent["amount"] == 5000
    assert f"{intent['customer']}/{intent['payment_method']}" == method.reference
    proforma = attempt.documents.get().document
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED
    client.refresh_from_db()
    assert client.balance == D("60")  # the 10 paid when keeping the card, and the 50 topped up
    assert EmailMessage.objects.filter(template="payment_received").count() == 2

    # Covered now: nothing more; Stripe's own webhook for the off-session payment changes nothing.
    assert job_auto_top_up(now=now) == {"charged": 0, "failed": 0}
    payments = Payment.objects.count()
    assert deliver(account, server.event_for("payment_intent.succeeded", attempt.reference)) == 200
    assert Payment.objects.count() == payments and PaymentAttempt.objects.filter(
        idempotency_key__startswith=KEY).count() == 1
    assert SavedMethod.objects.filter(client=client).count() == 1
