"""Pay with a kept Stripe card from the proforma's page, against localstripe: the charge is made
with the payer present (not off-session), and a card whose bank asks the holder to confirm
(3-D Secure) fails with words for the payer at the page — use Pay now — its PaymentIntent
cancelled, the proforma still payable; the same card charged by auto top-up (the payer away) keeps
its own words."""

from __future__ import annotations

import pytest
from django.db import transaction

from clientpanel.invoicing.models import DocumentStatus
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways.stripe_client import StripeConfig
from clientpanel.payments.models import AttemptStatus, GatewayAccount, SavedMethod
from clientpanel.payments.saved_charges import charge_saved_method, pay_with_saved_method, pending_attempt
from clientpanel.payments.tests.stripe_fixtures import localstripe  # noqa: F401
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _kept_card(client, account, server, number: str) -> SavedMethod:
    stripe = StripeConfig(server.settings()).client()
    customer = stripe.v1.customers.create(params={"email": client.owner.email})
    card = stripe.v1.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}})
    stripe.v1.payment_methods.attach(card.id, params={"customer": customer.id})
    return SavedMethod.objects.create(client=client, account=account, reference=f"{customer.id}/{card.id}",
                                      label=f"Visa •••• {number[-4:]}", is_default=True)


@pytest.fixture
def stripe_payer(make_client, localstripe):  # noqa: F811
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="stripe",
                                            settings=localstripe.settings())
    client = make_client(currency="USD")
    return client, account, localstripe


def test_a_kept_stripe_card_pays_a_proforma_with_the_payer_at_the_page(stripe_payer):
    client, account, server = stripe_payer
    method = _kept_card(client, account, server, "4242424242424242")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    attempt = pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.reference.startswith("pi_")
    assert server.get(f"/v1/payment_intents/{attempt.reference}")["status"] == "succeeded"
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.INVOICED


def test_a_card_whose_bank_asks_to_confirm_sends_the_payer_to_pay_now_and_leaves_nothing_open(stripe_payer):
    client, account, server = stripe_payer
    method = _kept_card(client, account, server, "4000002760003184")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    attempt = pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.error == "Your bank asks you to confirm this payment: use Pay now to pay through the payment page."
    assert server.get(f"/v1/payment_intents/{attempt.reference}")["status"] == "canceled"
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.UNPAID

    # The payer away (auto top-up's charge): the words say it cannot be charged while they are away.
    with transaction.atomic():
        away = pending_attempt([proforma], gateway="stripe", started_by_label="auto top-up")
    charge_saved_method(away, method, description=proforma.number, reference_prefix="auto-top-up")
    assert away.status == AttemptStatus.FAILED and "while they are away" in away.error
