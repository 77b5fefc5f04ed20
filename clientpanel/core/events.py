"""Domain events: what happened, published by the domain services inside their transaction.

A domain defines its events as small frozen dataclasses (`clients/events.py`, `invoicing/events.py`,
…) and publishes them where the change is made, in the same transaction. Subscribers are registered
by the apps that own them (e-mail, webhooks), from their `AppConfig.ready()`; the domains never
import them. A subscriber runs inside the publishing transaction, so whatever it writes (an outbox
row, see core/outbox.py) commits or rolls back with the change itself; a subscriber that raises
rolls the change back. Subscribers must therefore only write rows (or defer work to after the commit
with `transaction.on_commit`) — never send anything: sending happens after commit, from the outbox.

Subscribers take a sequence of events of one type, so a batch (a billing run posting 500 ledger
entries) costs one INSERT per subscriber, not 500. With no subscriber, publishing costs a dict
lookup; hot paths ask `has_subscribers()` before even building their events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection

from .money import format_api_amount


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every domain event. `name` is its stable, public name ("document.issued"): e-mail
    and webhooks subscribe by type, integrators see the name."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            EVENT_TYPES[cls.name] = cls

    def payload(self) -> dict[str, Any]:
        """The event as JSON: ids, dates and enums as text, money as strings with 4 decimals
        ("12.3000", as the API writes it)."""
        return {field.name: _plain(getattr(self, field.name)) for field in dataclasses.fields(self)}


EVENT_TYPES: dict[str, type[Event]] = {}

Subscriber = Callable[[Sequence[Event]], None]
# Answers, without a query, whether a subscriber would write anything for events of a type now.
Listening = Callable[[type[Event]], bool]
_subscribers: dict[type[Event], list[Subscriber]] = {}
_listening: dict[Subscriber, Listening] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_api_amount(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def subscribe(event_type: type[Event], subscriber: Subscriber, *, listening: Listening | None = None) -> None:
    """Call `subscriber(events)` with the events of this type each publishing transaction makes.
    Register from AppConfig.ready(); registering the same subscriber twice changes nothing.

    `listening(event_type)`, when given, tells hot publishers cheaply whether the subscriber would
    write anything now (webhooks: whether an active endpoint takes the event), so that a ledger post
    nobody listens to stays one statement. It may answer yes when the subscriber then writes
    nothing, never the other way round for longer than it documents."""
    subscribers = _subscribers.setdefault(event_type, [])
    if subscriber not in subscribers:
        subscribers.append(subscriber)
    if listening is not None:
        _listening[subscriber] = listening


def unsubscribe(event_type: type[Event], subscriber: Subscriber) -> None:
    subscribers = _subscribers.get(event_type, [])
    if subscriber in subscribers:
        subscribers.remove(subscriber)
    if not subscribers:
        _subscribers.pop(event_type, None)


def has_subscribers(event_type: type[Event]) -> bool:
    """Whether publishing an event of this type now could write anything (see `subscribe`)."""
    return any(_listening.get(subscriber, _always)(event_type) for subscriber in _subscribers.get(event_type, ()))


def _always(_event_type: type[Event]) -> bool:
    return True


def publish(event: Event) -> None:
    """Hand one event to its subscribers, inside the caller's transaction."""
    publish_all((event,))


def publish_all(events: Iterable[Event]) -> None:
    """Hand events to their subscribers, each subscriber once per event type with all of that
    type, inside the caller's transaction (refused outside one: what subscribers write must commit
    or roll back with the change)."""
    if not connection.in_atomic_block:
        raise RuntimeError("events are published inside the transaction that makes the change")
    by_type: dict[type[Event], list[Event]] = {}
    for event in events:
        if type(event) in _subscribers:
            by_type.setdefault(type(event), []).append(event)
    for event_type, batch in by_type.items():
        for subscriber in list(_subscribers.get(event_type, ())):
            subscriber(batch)
