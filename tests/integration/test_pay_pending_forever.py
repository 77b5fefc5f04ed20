"""A payment the gateway said is processing, and then never said another word about (its final
notification lost, or never subscribed to: Stripe's off-session charges notify payment_intent.*
events, which a hosted-checkout endpoint does not listen to), was PENDING for ever: staff could not
settle it by hand, and the client's auto top-up stayed held up behind it. After a bank debit's
longest wait without a word, staff may settle it; money that comes after all is held for them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.core.errors import Conflict
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.gateways import PENDING, Notification
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, PaymentAttempt
from clientpanel.payments.rules import can_be_resolved_by_staff
from clientpanel.payments.services import attempt_resolve, notification_apply

from .test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


def test_a_charge_left_processing_without_a_word_can_be_settled_by_staff_and_top_ups_resume(make_client,
                                                                                             monkeypatch):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")

    def processing(self, attempt, *, method_reference):
        return Notification(event_id=f"charge_{attempt.attempt_id}", kind=PENDING,
                            reference=f"test_{attempt.attempt_id}", amount=attempt.amount, currency=attempt.currency)

    monkeypatch.setattr(card.TestGateway, "charge_saved", processing)
    now = timezone.now()
    assert job_auto_top_up(now=now) == {"charged": 0, "failed": 0}
    attempt = PaymentAttempt.objects.get(idempotency_key__startswith=KEY)
    assert attempt.status == AttemptStatus.PENDING and attempt.events.exists()

    # A bank debit may take days: not staff's to settle yet.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(updated_at=now - dt.timedelta(days=3))
    attempt.refresh_from_db()
    assert not can_be_resolved_by_staff(attempt, now)
    with pytest.raises(Conflict):
        attempt_resolve(actor=None, attempt_id=attempt.pk, note="Checked the dashboard")

    # Weeks without a word: staff check the gateway and settle it.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(updated_at=now - dt.timedelta(days=30))
    attempt.refresh_from_db()
    assert can_be_resolved_by_staff(attempt, now)
    attempt_resolve(actor=None, attempt_id=attempt.pk, note="Never charged: the debit was abandoned")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.RESOLVED

    # The client's auto top-up is no longer held up behind it.
    monkeypatch.undo()
    # A new shortfall:
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(1), description="Goodwill")
    assert job_auto_top_up(now=now + dt.timedelta(hours=1)) == {"charged": 1, "failed": 0}

    # The money of the settled one arrives after all: held for staff, never dropped.
    notification_apply(gateway_key="test", note=Notification(
        event_id="evt_late", kind="succeeded", reference=f"test_{attempt.pk}", transaction_id="txn_late",
        amount=attempt.amount, currency=attempt.currency))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD and "settled by hand" in attempt.error
