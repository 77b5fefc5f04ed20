"""A payment still settling keeps its proformas from being paid again: the gateway took money the
panel held for staff (another amount or currency, a proforma partly paid meanwhile) and the portal
still offered Pay now, so the client paid the same proforma twice. Until staff resolve the held
payment (or the gateway ends a processing one), neither the service nor the portal offers another."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.core.errors import Conflict
from clientpanel.invoicing.services import proforma_pay
from clientpanel.payments.models import AttemptStatus, PaymentAttempt
from clientpanel.payments.services import attempt_resolve

from .test_gateway_payments import notify, paid, signed_in, start

pytestmark = pytest.mark.django_db


def _held(shop, *documents, **reported) -> PaymentAttempt:
    attempt = start(shop, *documents)
    notify(shop, attempt, **reported)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD
    return attempt


@pytest.mark.parametrize("reported", [{"currency": "EUR"}, {"amount": Decimal("0.01")}])
def test_a_held_payment_refuses_another_of_its_proformas_and_of_them_only(shop, reported):
    _held(shop, shop["first"], **reported)
    with pytest.raises(Conflict, match="checked by our staff"):
        start(shop, shop["first"], shop["second"])
    with pytest.raises(Conflict, match=shop["first"].number):
        start(shop, shop["first"])
    assert start(shop, shop["second"]).status == AttemptStatus.STARTED  # the other proforma is payable


def test_money_for_a_proforma_partly_paid_meanwhile_is_held_and_the_rest_not_paid_online_again(shop):
    attempt = start(shop, shop["first"])
    proforma_pay(actor=None, document_id=shop["first"].pk, amount="5.00")  # staff recorded part of it
    notify(shop, attempt)
    assert PaymentAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.HELD
    with pytest.raises(Conflict):
        start(shop, shop["first"])


def test_the_portal_offers_no_pay_now_and_says_why(shop):
    _held(shop, shop["first"], currency="EUR")
    browser = signed_in(shop["payer"].owner.email)
    page = browser.get(reverse("portal:document", args=[shop["first"].pk])).content.decode()
    assert 'id="pay-now"' not in page and 'id="payment-settling"' in page and "do not pay again" in page
    assert 'id="transfer-title"' not in page  # nor a bank transfer of the same money
    listing = browser.get(reverse("portal:invoices")).content.decode()
    assert f'value="{shop["first"].pk}"' not in listing and f'value="{shop["second"].pk}"' in listing
    assert "Payment received, being checked" in listing
    refused = browser.post(reverse("portal:pay"), {"documents": [shop["first"].pk]}, follow=True)
    assert "checked by our staff" in refused.content.decode()
    assert PaymentAttempt.objects.count() == 1


def test_once_staff_resolve_it_the_proforma_can_be_paid_again(shop, staff):
    held = _held(shop, shop["first"], currency="EUR")
    attempt_resolve(actor=staff, attempt_id=held.pk, note="Sent the euros back at the gateway.")
    again = start(shop, shop["first"])
    notify(shop, again)
    assert paid(shop["first"])


def test_a_processing_payment_refuses_another_in_its_own_words(shop):
    attempt = start(shop, shop["first"])
    notify(shop, attempt, kind="payment.pending")
    with pytest.raises(Conflict, match="being processed"):
        start(shop, shop["first"])
    page = signed_in(shop["payer"].owner.email).get(reverse("portal:document", args=[shop["first"].pk]))
    assert "being processed by the payment service" in page.content.decode()


def test_staff_see_on_the_proforma_that_a_payment_of_it_is_held_and_where_to_resolve_it(shop, staff_client):
    _held(shop, shop["first"], currency="EUR")
    page = staff_client.get(reverse("backoffice:document-detail", args=[shop["first"].pk])).content.decode()
    assert 'id="payment-held"' in page
    assert reverse("backoffice:client-transactions", args=[shop["payer"].pk]) + "#payment-attempts" in page
    other = staff_client.get(reverse("backoffice:document-detail", args=[shop["second"].pk])).content.decode()
    assert 'id="payment-held"' not in other and 'id="payment-processing"' not in other
