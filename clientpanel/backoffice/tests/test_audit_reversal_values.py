"""The activity log reads a refund or dispute made at Stripe (payment_attempt.reversal) in the
reader's words: the kind by its label, the amount as the panel writes money."""

import pytest
from django.utils import translation

from clientpanel.audit.models import AuditEvent
from clientpanel.payments.models import AttemptStatus
from clientpanel.payments.services import notification_apply
from clientpanel.payments.tests.test_reversal_of_held_payment import _attempt, _refund_at_stripe
from clientpanel.ui.audit_values import audit_changes

pytestmark = pytest.mark.django_db


def test_the_activity_log_reads_a_refund_at_stripe_in_the_readers_words(make_client):
    # It read "Status: brak → REFUNDED" and "Kwota: brak → 20.0000 USD" on a Polish page.
    attempt = _attempt(make_client(currency="USD", billing_address={"country": "US", "region": ""}),
                       AttemptStatus.SUCCEEDED)
    notification_apply(gateway_key="stripe", note=_refund_at_stripe(2000))
    event = AuditEvent.objects.get(action="payment_attempt.reversal", object_id=str(attempt.pk))
    with translation.override("pl"):
        shown = {change.key: change.after for change in audit_changes(event)}
    assert shown["status"] == "Zwrócono w bramce" and shown["amount"] == "20,00\xa0USD"
    with translation.override("en"):
        shown = {change.key: change.after for change in audit_changes(event)}
    assert shown["status"] == "Refunded at the gateway" and shown["amount"] == "$20.00"


def test_the_activity_log_reads_a_disputes_reason_in_words():
    event = AuditEvent(action="payment_attempt.reversal", object_type="paymentattempt", object_id="x",
                       actor_kind="system", actor_label="system",
                       changes={"status": [None, "DISPUTE_OPENED"], "reason": [None, "product_not_received"]})
    with translation.override("pl"):
        shown = {change.key: change.after for change in audit_changes(event)}
    assert shown["reason"] == "nie otrzymano produktu"
