"""Delivering a webhook message: the outbox's handler for the "webhooks" topic (core/outbox.py).

Each attempt is one signed POST (signing.py) through transport.py, recorded in the delivery log
whatever happens. A 2xx whose status and headers come within the timeout delivers the message (a
body that stalls after them only cuts what the log keeps); anything else is retried with
exponential back-off for three days (WEBHOOK_RETRY), then the message has failed. An endpoint
failing continuously for 24 hours and at least 10 attempts is disabled, as is one answering 410
Gone, and staff see why on its page. Messages about one client reach an endpoint in the order they
happened: one waits (without spending an attempt) while an earlier one is still on its way.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clientpanel.accounts.roles import SETTINGS
from clientpanel.accounts.selectors import staff_holding
from clientpanel.audit.services import audit_record
from clientpanel.core import outbox
from clientpanel.core.models import OutboxMessage, OutboxStatus
from clientpanel.core.outbox import Later, RetryPolicy
from clientpanel.notifications.kinds import WEBHOOK_DISABLED
from clientpanel.notifications.services import base_url, email_queue, user_context

from . import signing, transport
from .models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage
from .subscribers import TOPIC

log = logging.getLogger(__name__)


def _attempts_for(days: float, policy: RetryPolicy) -> int:
    """How many attempts the policy makes before `days` have passed since the first."""
    elapsed, attempts = dt.timedelta(0), 1
    while elapsed < dt.timedelta(days=days):
        elapsed += policy.delay(attempts)
        attempts += 1
    return attempts


_BACK_OFF = RetryPolicy(first_delay=dt.timedelta(seconds=30), max_delay=dt.timedelta(hours=6))
# 30 s doubling to 6 h, then every 6 h: the last attempt three days after the first.
WEBHOOK_RETRY = RetryPolicy(first_delay=_BACK_OFF.first_delay, max_delay=_BACK_OFF.max_delay,
                            max_attempts=_attempts_for(3, _BACK_OFF))
DISABLE_AFTER = dt.timedelta(hours=24)
DISABLE_AFTER_ATTEMPTS = 10
WAIT_FOR_EARLIER = dt.timedelta(seconds=2)  # when the earlier message is being sent right now
STALE_BLOCKER = dt.timedelta(days=4)  # an earlier message older than every retry no longer holds others


def _earlier_on_its_way(message: WebhookMessage, now: dt.datetime) -> WebhookMessage | None:
    if not message.ordering_key:
        return None
    return (WebhookMessage.objects.filter(endpoint_id=message.endpoint_id, ordering_key=message.ordering_key,
                                          id__lt=message.pk, created_at__gte=now - STALE_BLOCKER,
                                          status__in=[MessageStatus.PENDING, MessageStatus.RETRYING])
            .order_by("id").only("id", "public_id", "next_attempt_at").first())


def deliver(row: OutboxMessage) -> Later | None:
    """Send one message once (the outbox retries what this answers Later for)."""
    now = outbox.drain_time()
    message = WebhookMessage.objects.select_related("endpoint").filter(pk=row.payload.get("message")).first()
    if message is None or message.status in (MessageStatus.DELIVERED, MessageStatus.FAILED):
        return None  # its endpoint was deleted, or a replay's row came after the message was settled
    endpoint = message.endpoint
    if not endpoint.is_active:
        _settle(message, MessageStatus.FAILED)
        return None
    earlier = _earlier_on_its_way(message, now)
    if earlier is not None:
        until = max(earlier.next_attempt_at or now, now) + WAIT_FOR_EARLIER
        return Later(f"Waiting for {earlier.public_id}, an earlier message about the same client.", until=until)

    timestamp = int(time.time())
    headers = signing.headers(endpoint.secret, message_id=message.public_id, timestamp=timestamp, body=message.body)
    answer = transport.post(endpoint.url, message.body.encode(), headers)
    WebhookAttempt.objects.create(message=message, attempted_at=now, status_code=answer.status_code,
                                  response_body=answer.body, duration_ms=answer.duration_ms, error=answer.error)
    message.attempts += 1
    if answer.accepted:
        message.delivered_at = now
        _settle(message, MessageStatus.DELIVERED)
        if endpoint.failed_attempts or endpoint.failing_since:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failed_attempts=0, failing_since=None)
        return None

    reason = answer.error or _("The receiver answered %(status)s.") % {"status": answer.status_code}
    if answer.status_code == 410:
        endpoint_disable(endpoint, lambda: _("The receiver answered 410 Gone: it asked for no more messages."), now)
        _settle(message, MessageStatus.FAILED)
        return Later(reason, give_up=True)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failed_attempts=F("failed_attempts") + 1,
                                                          failing_since=Coalesce("failing_since", now))
    endpoint.refresh_from_db(fields=["failed_attempts", "failing_since"])
    if endpoint.failed_attempts >= DISABLE_AFTER_ATTEMPTS and now - endpoint.failing_since >= DISABLE_AFTER:
        attempts = endpoint.failed_attempts

        def failing_for_a_day() -> str:
            return _("Every delivery failed for %(hours)s hours (%(attempts)s attempts); the last: %(reason)s") % {
                "hours": int(DISABLE_AFTER.total_seconds() // 3600), "attempts": attempts,
                "reason": answer.error or _("The receiver answered %(status)s.") % {"status": answer.status_code}}

        endpoint_disable(endpoint, failing_for_a_day, now)
        _settle(message, MessageStatus.FAILED)
        return Later(reason, give_up=True)
    if row.attempts >= WEBHOOK_RETRY.max_attempts:
        _settle(message, MessageStatus.FAILED)
        return Later(reason, give_up=True)
    message.next_attempt_at = now + WEBHOOK_RETRY.delay(row.attempts)
    _settle(message, MessageStatus.RETRYING)
    return Later(reason)


def _settle(message: WebhookMessage, status: str) -> None:
    message.status = status
    message.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])


def endpoint_disable(endpoint: WebhookEndpoint, reason: Callable[[], str], now: dt.datetime) -> None:
    """Stop delivering to an endpoint; what is still on its way fails. Staff holding Settings are
    told by e-mail (each in its language: reason() is called in it) and on the Webhooks page; they
    switch it on again there and replay what they need."""
    with translation.override(settings.LANGUAGE_CODE):
        stored_reason = reason()[:300]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now,
                                                          disabled_reason=stored_reason, updated_at=now)
    messages_stop(endpoint.pk, now)
    audit_record(action="webhook.disable", target=endpoint,
                 changes={"is_active": [True, False], "reason": stored_reason})
    link = base_url() + reverse("backoffice:webhook-detail", args=[endpoint.pk])
    for user in staff_holding(SETTINGS):
        client, language, context = user_context(user)
        with translation.override(language):
            email_queue(key=WEBHOOK_DISABLED, user=user, client=client, language=language, now=now, context={
                **context, "endpoint_url": endpoint.url, "endpoint_description": endpoint.description,
                "reason": reason(), "endpoint_link": link})
    log.warning("webhook endpoint %s (%s) disabled: %s", endpoint.pk, endpoint.url, stored_reason)


def messages_stop(endpoint_id, now: dt.datetime) -> None:
    """What is still on its way to the endpoint fails, and its outbox rows are given up with it,
    so a later Replay is the message's only way out (never an old retry beside it)."""
    on_its_way = [MessageStatus.PENDING, MessageStatus.RETRYING]
    waiting = list(WebhookMessage.objects.filter(endpoint_id=endpoint_id, status__in=on_its_way)
                   .values_list("pk", flat=True))
    if not waiting:
        return
    WebhookMessage.objects.filter(pk__in=waiting).update(status=MessageStatus.FAILED, next_attempt_at=None)
    for start in range(0, len(waiting), 1000):
        OutboxMessage.objects.filter(topic=TOPIC, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED],
                                     payload__message__in=waiting[start:start + 1000]).update(
            status=OutboxStatus.GIVEN_UP, handled_at=now, last_error="The endpoint was switched off or deleted.")


def connect() -> None:
    outbox.register_handler(TOPIC, deliver, retry=WEBHOOK_RETRY)
