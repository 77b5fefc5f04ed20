"""An auto top-up is an Add Funds the client asked for once and for all: its amount keeps to the
portal's Add Funds limits when it is saved (the minimum, the maximum of one Add Funds, and the
maximum balance), and when the job charges it, to the room the maximum balance leaves then."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.core.errors import ValidationFailed
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.services import add_funds_limit_save
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.models import AttemptStatus, AutoTopUp, PaymentAttempt

from .test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_client, settings):
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "10000", "maximum_balance": "",
                                             "unpaid_at_once": 5}
    client = client_with_a_service_due(make_client)  # USD, 30.00 due in two days
    keep_a_card(signed_in(client.owner.email), client)  # paying 10.00 for it: the balance is 10.00
    return client


def save(client, amount: str) -> AutoTopUp:
    return auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount=amount, days="7", max_per_month="3")


@pytest.mark.parametrize(("amount", "message"), [
    ("9.99", "Add at least $10.00."),
    ("10000.01", "Add at most $10,000.00 at once."),
    ("5000000", "Add at most $10,000.00 at once."),
])
def test_an_amount_outside_the_add_funds_limits_is_refused_and_nothing_is_saved(shop, amount, message):
    with pytest.raises(ValidationFailed) as refused:
        save(shop, amount)
    assert refused.value.fields["amount"] == [message]
    assert not AutoTopUp.objects.exists()
    assert save(shop, "10").amount == Decimal("10") and save(shop, "10000").amount == Decimal("10000")


def test_the_currencys_own_limits_and_its_maximum_balance_hold(shop):
    add_funds_limit_save(actor=None, currency="USD", minimum="25", maximum="500", maximum_balance="300")
    for amount, message in (("20", "Add at least $25.00."), ("501", "Add at most $500.00 at once."),
                            ("400", "The balance may not exceed $300.00.")):
        with pytest.raises(ValidationFailed) as refused:
            save(shop, amount)
        assert refused.value.fields["amount"] == [message]
    assert save(shop, "300").amount == Decimal("300")


def _charged() -> list[Decimal]:
    return [a.amount for a in PaymentAttempt.objects.filter(idempotency_key__startswith=KEY,
                                                            status=AttemptStatus.SUCCEEDED).order_by("created_at")]


def test_the_job_adds_no_more_than_the_maximum_balance_leaves_room_for(shop):
    save(shop, "200")
    add_funds_limit_save(actor=None, currency="USD", minimum="10", maximum="10000", maximum_balance="220")
    entry_post(client_id=shop.pk, type=EntryType.ADJUSTMENT, net=Decimal("15.125"))  # 25.125: short of 30.00
    assert job_auto_top_up(now=timezone.now()) == {"charged": 1, "failed": 0}
    shop.refresh_from_db()
    # 220 - 25.125 = 194.875, down to the cent: the balance ends at the maximum, never above it.
    assert _charged() == [Decimal("194.87")] and shop.balance == Decimal("219.995")


def test_the_job_charges_nothing_when_the_room_left_is_below_the_minimum(shop):
    save(shop, "200")
    add_funds_limit_save(actor=None, currency="USD", minimum="10", maximum="10000", maximum_balance="35")
    entry_post(client_id=shop.pk, type=EntryType.ADJUSTMENT, net=Decimal("19"))  # 29.00: 6.00 of room, short of 30.00
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    assert _charged() == [] and not Document.objects.filter(client=shop, status=DocumentStatus.UNPAID).exists()


def test_limits_lowered_after_saving_lower_the_charge_to_the_new_maximum(shop):
    save(shop, "200")
    add_funds_limit_save(actor=None, currency="USD", minimum="10", maximum="150")
    assert job_auto_top_up(now=timezone.now()) == {"charged": 1, "failed": 0}
    assert _charged() == [Decimal("150")]


def test_the_portal_page_shows_the_limit_and_keeps_what_was_typed(shop):
    browser = signed_in(shop.owner.email)
    page = browser.post(reverse("portal:payment-methods"), {
        "action": "auto_top_up", "enabled": "on", "amount": "50000", "days": "7", "max_per_month": "3"})
    assert page.status_code == 200
    assert "Add at most $10,000.00 at once." in page.content.decode() and 'value="50000"' in page.content.decode()
    assert not AutoTopUp.objects.exists()


def test_an_amount_kept_as_it_is_is_not_judged_again_so_the_setting_can_be_switched_off(shop):
    AutoTopUp.objects.create(client=shop, enabled=True, amount=Decimal("50000"), days=7, max_per_month=3)  # before
    off = auto_top_up_save(actor=None, client_id=shop.pk, enabled=False, amount="50000", days="7", max_per_month="3")
    assert not off.enabled and off.amount == Decimal("50000")
    with pytest.raises(ValidationFailed) as refused:  # a new amount is held to the limits
        save(shop, "60000")
    assert refused.value.fields["amount"] == ["Add at most $10,000.00 at once."]
    assert save(shop, "50000").enabled  # on again as it was: each charge is kept within the limits
    assert job_auto_top_up(now=timezone.now()) == {"charged": 1, "failed": 0}
    assert _charged() == [Decimal("10000")]
