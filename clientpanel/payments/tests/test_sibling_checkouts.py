"""Once one payment of a proforma went through or is being processed, its other open checkouts close:
a second tab's checkout completed after the first went PENDING took the money twice. The test
gateway's page refuses a closed checkout; Stripe is asked to expire its session."""

from __future__ import annotations

import pytest
from django.urls import reverse

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
    assert older.status == other.status == AttemptStatus.FAILED and "Closed" in older.error
    browser = signed_in(shop["payer"].owner.email)
    page = browser.post(reverse("portal:test-gateway", args=[older.pk]), {"outcome": "succeed"})
    assert page.status_code == 302 and page["Location"] == reverse("portal:payment", args=[older.pk])
    assert PaymentAttempt.objects.get(pk=older.pk).status == AttemptStatus.FAILED  # nothing sent, nothing paid


def test_an_unrelated_checkout_stays_open(shop):
    mine = start(shop, shop["first"])
    theirs = start(shop, shop["theirs"])
    notify(shop, mine)
    assert paid(shop["first"]) and PaymentAttempt.objects.get(pk=theirs.pk).status == AttemptStatus.STARTED


def test_money_of_a_closed_checkout_that_comes_all_the_same_is_held_not_lost(shop):
    older = start(shop, shop["first"])
    newer = start(shop, shop["first"])
    notify(shop, newer)
    notify(shop, older)  # the gateway could not close it in time: the payer paid there too
    older.refresh_from_db()
    assert older.status == AttemptStatus.HELD and paid(shop["first"])
