"""Writes for webhook endpoints: create (the secret is answered once), change, re-enable, rotate
the secret, delete; replay a message and send a test event."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, diff, snapshot
from clientpanel.core import outbox
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, require
from clientpanel.core.locks import lock_one
from clientpanel.core.text import clean_text

from . import policies, signing, transport
from .delivery import messages_stop
from .events import TEST_EVENT, WEBHOOK_EVENTS
from .models import MessageStatus, WebhookEndpoint, WebhookMessage
from .subscribers import TOPIC, MessageDue, body_of, message_id, messages_write

MESSAGE_ID = re.compile(r"msg_[0-9a-f]{1,36}")
ENDPOINT_FIELDS = {"url", "events", "description", "is_active"}
URL_LIMIT = 1000
MAX_ENDPOINTS = 50
# Fields the audit trail compares; the secret is never written there.
AUDITED = ("url", "events", "description", "is_active")


def _require(actor) -> Any:
    actor = as_actor(actor)
    require(policies.can_manage_webhooks(actor), _("You are not allowed to manage webhooks."))
    return actor


def _clean(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    errors = FieldErrors()
    errors.add_unknown(data, ENDPOINT_FIELDS)
    cleaned: dict[str, Any] = {}
    if "url" in data or creating:
        url = clean_text(data.get("url", ""), "url", errors, limit=URL_LIMIT, single_line=True)
        if not url:
            errors.add("url", _("Enter the URL that receives the webhooks."))
        elif "url" not in errors.fields:
            try:
                transport.url_check(url)
            except transport.AddressRefused as refusal:
                errors.add("url", str(refusal))
        cleaned["url"] = url
    if "events" in data:
        events = data["events"]
        if events is None:
            events = []
        if not isinstance(events, list | tuple) or not all(isinstance(name, str) for name in events):
            errors.add("events", _("Give a list of event names."))
        else:
            unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
            if unknown:
                errors.add("events", _("Unknown events: %(names)s. Known: %(known)s.") % {
                    "names": ", ".join(repr(name[:60]) for name in unknown[:5]), "known": ", ".join(WEBHOOK_EVENTS)})
            cleaned["events"] = [name for name in WEBHOOK_EVENTS if name in events]  # in the catalogue's order
    if "description" in data:
        cleaned["description"] = clean_text(data["description"] or "", "description", errors, limit=200,
                                            single_line=True)
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors.add("is_active", _("Must be true or false."))
        cleaned["is_active"] = data["is_active"] is True
    errors.raise_if_any()
    return cleaned


def endpoint_create(*, actor: ActorLike, data: Mapping[str, Any]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (whsec_…), which is shown this once."""
    _require(actor)
    cleaned = _clean(data, creating=True)
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(deleted_at__isnull=True).count() >= MAX_ENDPOINTS:
            raise Conflict(_("There are %(count)s endpoints already, the most there can be; delete one first.")
                           % {"count": MAX_ENDPOINTS}, code="too_many_endpoints")
        now = timezone.now()
        secret = signing.secret_generate()
        endpoint = WebhookEndpoint.objects.create(secret=secret, created_at=now, updated_at=now, **cleaned)
        audit_record(action="webhook.create", target=endpoint,
                     changes={field: [None, getattr(endpoint, field)] for field in AUDITED})
    return endpoint, secret


def _locked(endpoint_id) -> WebhookEndpoint:
    return lock_one(WebhookEndpoint.objects.filter(deleted_at__isnull=True), _("No such webhook endpoint."),
                    pk=endpoint_id)


def endpoint_update(*, actor: ActorLike, endpoint_id, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change the fields present in data. Switching a disabled endpoint on again clears its failures
    (what failed meanwhile can be replayed)."""
    _require(actor)
    cleaned = _clean(data, creating=False)
    with transaction.atomic():
        endpoint = _locked(endpoint_id)
        before = snapshot(endpoint, fields=AUDITED)
        if cleaned.get("is_active") and not endpoint.is_active:
            endpoint.failed_attempts, endpoint.failing_since = 0, None
            endpoint.disabled_at, endpoint.disabled_reason = None, ""
        for field, value in cleaned.items():
            setattr(endpoint, field, value)
        endpoint.updated_at = timezone.now()
        endpoint.save()
        changed = diff(before, snapshot(endpoint, fields=AUDITED))
        if changed:
            audit_record(action="webhook.update", target=endpoint, changes=changed)
    return endpoint


def endpoint_secret_rotate(*, actor: ActorLike, endpoint_id) -> tuple[WebhookEndpoint, str]:
    """A new secret, shown this once; messages are signed with it from now on, retries included."""
    _require(actor)
    with transaction.atomic():
        endpoint = _locked(endpoint_id)
        secret = signing.secret_generate()
        endpoint.secret, endpoint.updated_at = secret, timezone.now()
        endpoint.save(update_fields=["secret", "updated_at"])
        audit_record(action="webhook.rotate_secret", target=endpoint)
    return endpoint, secret


def endpoint_delete(*, actor: ActorLike, endpoint_id) -> None:
    """Delete an endpoint: nothing more is sent to it, and it is gone from every list at once; its
    row, messages and log are removed by the purge job a day later (models.WebhookEndpoint)."""
    _require(actor)
    with transaction.atomic():
        endpoint = _locked(endpoint_id)
        now = timezone.now()
        endpoint.deleted_at, endpoint.is_active, endpoint.updated_at = now, False, now
        endpoint.save(update_fields=["deleted_at", "is_active", "updated_at"])
        messages_stop(endpoint.pk, now)
        audit_record(action="webhook.delete", target=endpoint,
                     changes={field: [getattr(endpoint, field), None] for field in AUDITED})


KEEP_DELETED = dt.timedelta(days=1)
KEEP_MESSAGES = dt.timedelta(days=30)


def job_purge_webhooks(*, now: dt.datetime) -> dict:
    """Remove deleted webhook endpoints a day after their deletion, and delivered or failed
    messages (with their attempts) after 30 days."""
    _, gone = WebhookEndpoint.objects.filter(deleted_at__lt=now - KEEP_DELETED).delete()
    _, old = WebhookMessage.objects.filter(status__in=[MessageStatus.DELIVERED, MessageStatus.FAILED],
                                           created_at__lt=now - KEEP_MESSAGES).delete()
    # Counted: endpoints and messages (their attempts go with them).
    return {"purged": sum(deleted.get(f"webhooks.{model}", 0) for deleted in (gone, old)
                          for model in ("WebhookEndpoint", "WebhookMessage"))}


def message_replay(*, actor: ActorLike, endpoint_id, message_id: str) -> WebhookMessage:
    """Send a message again (same webhook-id and body; receivers that already have it drop it)."""
    _require(actor)
    with transaction.atomic():
        endpoint = _locked(endpoint_id)
        if not endpoint.is_active:
            raise Conflict(_("Switch the endpoint on before replaying its messages."), code="endpoint_disabled")
        message = (WebhookMessage.objects.filter(endpoint=endpoint, public_id=message_id).first()
                   if MESSAGE_ID.fullmatch(message_id or "") else None)
        if message is None:
            raise NotFound(_("No such message for this endpoint."))
        if message.status in (MessageStatus.PENDING, MessageStatus.RETRYING):
            raise Conflict(_("This message is still on its way; wait for it or for its failure."),
                           code="message_pending")
        message.status, message.next_attempt_at = MessageStatus.PENDING, None
        message.save(update_fields=["status", "next_attempt_at"])
        outbox.outbox_add(topic=TOPIC, events=[MessageDue(message=message.pk)])
        audit_record(action="webhook.replay", target=endpoint, changes={"message": [None, message.public_id]})
    return message


def endpoint_test_send(*, actor: ActorLike, endpoint_id) -> WebhookMessage:
    """A `webhook.test` message to this endpoint alone, whatever events it takes."""
    _require(actor)
    with transaction.atomic():
        endpoint = _locked(endpoint_id)
        if not endpoint.is_active:
            raise Conflict(_("Switch the endpoint on before sending it a test event."), code="endpoint_disabled")
        now = timezone.now()
        body = body_of(TEST_EVENT, {"endpoint": str(endpoint.pk),
                                    "message": "This is a test event from Clientpanel."}, now)
        message = WebhookMessage(public_id=message_id(), endpoint=endpoint, event=TEST_EVENT, body=body,
                                 created_at=now)
        messages_write([message])
    return message

