"""What webhooks listen to: the events of WEBHOOK_EVENTS, each written — inside the event's own
transaction — as one message per active endpoint that takes it, with an outbox row to deliver it
after the commit. An event whose transaction rolls back leaves nothing to deliver."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models.signals import post_save
from django.utils import timezone

from clientpanel.core import outbox
from clientpanel.core.events import Event, subscribe

from .events import WEBHOOK_EVENTS, event_data
from .models import WebhookEndpoint, WebhookMessage

TOPIC = "webhooks"


@dataclass(frozen=True)
class MessageDue(Event):
    """The outbox row of one webhook message (the message holds the rest)."""

    name = "webhook.message"
    message: int


def message_id() -> str:
    """A webhook-id: "msg_" and 26 random hex digits, unique for the receiver's dedup."""
    return "msg_" + secrets.token_hex(13)


def body_of(event_name: str, data: dict, at) -> str:
    """The JSON sent: {"type", "timestamp", "data"}, the shape the specification recommends."""
    return json.dumps({"type": event_name, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data},
                      ensure_ascii=False, separators=(",", ":"))


def messages_write(endpoint_messages: list[WebhookMessage]) -> None:
    """Write messages and their outbox rows, in the caller's transaction."""
    WebhookMessage.objects.bulk_create(endpoint_messages)
    outbox.outbox_add(topic=TOPIC, events=[MessageDue(message=message.pk) for message in endpoint_messages])


def on_events(events: Sequence[Event]) -> None:
    name = events[0].name
    # One small query per publishing transaction; nothing more when no endpoint takes the event.
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True).only("id", "events")
                 if endpoint.takes(name)]
    if not endpoints:
        return
    now = timezone.now()
    messages = []
    for event, data in zip(events, event_data(events), strict=True):
        body = body_of(name, data, now)
        client_id = getattr(event, "client_id", None)
        key = str(client_id) if isinstance(client_id, uuid.UUID) else ""
        messages += [WebhookMessage(public_id=message_id(), endpoint_id=endpoint.pk, event=name, body=body,
                                    ordering_key=key, created_at=now) for endpoint in endpoints]
    messages_write(messages)


# Whether any active endpoint takes an event, for hot publishers (a ledger post stays one statement
# when none does): the active endpoints' event lists, read at most once per LISTENING_TTL seconds in
# each process and at once in a process that changes an endpoint. So another process starts writing
# messages for a new endpoint's events within LISTENING_TTL of its creation (docs/decisions.md);
# a stale "yes" costs only the query in on_events.
LISTENING_TTL = 1.0
_taken: tuple[float, frozenset[str]] = (float("-inf"), frozenset())
ALL_EVENTS = "*"


def listening(event_type: type[Event]) -> bool:
    global _taken
    read_at, names = _taken
    if time.monotonic() - read_at > LISTENING_TTL:
        names = frozenset(name for events in WebhookEndpoint.objects.filter(is_active=True)
                          .values_list("events", flat=True) for name in (events or [ALL_EVENTS]))
        _taken = (time.monotonic(), names)
    return ALL_EVENTS in names or event_type.name in names


def listening_forget(**_signal) -> None:
    """An endpoint was saved in this process: read the endpoints again on the next event. (A cache
    kept fresh by the model's post_save, whichever code saves it; no rule lives here.)"""
    global _taken
    _taken = (float("-inf"), frozenset())


def connect() -> None:
    for webhook_event in WEBHOOK_EVENTS.values():
        subscribe(webhook_event.event_type, on_events, listening=listening)
    post_save.connect(listening_forget, sender=WebhookEndpoint, dispatch_uid="webhooks.listening_forget")
