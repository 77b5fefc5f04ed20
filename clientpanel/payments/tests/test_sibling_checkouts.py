"""Once one payment of a proforma went through or is being processed, its other open checkouts close:
a second tab's checkout completed after the first went PENDING took the money twice. The test
gateway's page refuses a closed checkout; Stripe is asked to expire its session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clientpanel.core.errors import Conflict
from clientpanel.payments.models import AttemptStatus, PaymentAttempt

from .test_gateway_payments import notify, paid, signed_in, start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("first_outcome", ["payment.pending", "payment.succeeded"])
def test_a_second_open_checkout_closes_when_the_first_goes_through(shop, first_outcome):
    older = start(shop, shop["first"])  # a tab left open
    second = start(shop, shop["first"], shop["second"])
    other = start(shop, shop["second"])
    notify(shop, second, kind=first_outcome)
    older.refresh_from_db()
    other.refresh_from_db()
    assert older.status == other.status == AttemptStatus.CLOSED and "Closed" in older.error
    browser = signed_in(shop["payer"].owner.email)
    page = browser.post(reverse("portal:test-gateway", args=[older.pk]), {"outcome": "succeed"})
    assert page.status_code == 302 and page["Location"] == reverse("portal:payment", args=[older.pk])
    assert PaymentAttempt.objects.get(pk=older.pk).status == AttemptStatus.CLOSED  # nothing sent, nothing paid
    closed = browser.get(reverse("portal:payment", args=[older.pk])).content.decode()
    assert 'id="payment-closed"' in closed and "try again" not in closed
    if first_outcome == "payment.pending":  # still processing: nothing offered that would only be refused
        assert 'id="pay-again"' not in closed


def test_an_unrelated_checkout_stays_open(shop):
    mine = start(shop, shop["first"])
    theirs = start(shop, shop["theirs"])
    notify(shop, mine)
    assert paid(shop["first"]) and PaymentAttempt.objects.get(pk=theirs.pk).status == AttemptStatus.STARTED


def test_money_of_a_closed_checkout_that_comes_all_the_same_is_held_not_lost(shop):
    # (as before closing existed: money is never dropped, whatever the attempt's state)
    older = start(shop, shop["first"])
    newer = start(shop, shop["first"])
    notify(shop, newer)
    notify(shop, older)  # the gateway could not close it in time: the payer paid there too
    older.refresh_from_db()
    assert older.status == AttemptStatus.HELD and paid(shop["first"])


def test_a_closed_checkout_the_gateway_then_says_is_processing_keeps_the_proforma_from_being_paid_again(shop):
    older = start(shop, shop["first"])  # the payer submitted a bank debit here…
    newer = start(shop, shop["first"])
    notify(shop, newer, kind="payment.pending")  # …while this one went pending: older is closed
    assert PaymentAttempt.objects.get(pk=older.pk).status == AttemptStatus.CLOSED
    notify(shop, older, kind="payment.pending")  # the older debit is processing all the same
    notify(shop, newer, kind="payment.failed")
    assert PaymentAttempt.objects.get(pk=older.pk).status == AttemptStatus.PENDING
    with pytest.raises(Conflict, match="being processed"):
        start(shop, shop["first"])


def test_after_a_decline_the_payment_page_offers_only_what_can_be_paid_now(shop):
    declined = start(shop, shop["first"])
    notify(shop, declined, kind="payment.failed")
    browser = signed_in(shop["payer"].owner.email)
    assert 'id="pay-again"' in browser.get(reverse("portal:payment", args=[declined.pk])).content.decode()
    processing = start(shop, shop["first"])
    notify(shop, processing, kind="payment.pending")
    page = browser.get(reverse("portal:payment", args=[declined.pk])).content.decode()
    assert 'id="pay-again"' not in page and "try again" not in page
