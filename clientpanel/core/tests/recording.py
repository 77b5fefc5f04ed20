"""Test helper: record the domain events a block publishes."""

from __future__ import annotations

import contextlib

from django.db import connection

from clientpanel.core.events import Event, subscribe, unsubscribe


@contextlib.contextmanager
def recorded_events(*event_types: type[Event]):
    """Yield the list of events of these types published inside the block, in order. Fails the
    test when one is published outside a transaction."""
    seen: list[Event] = []

    def record(events):
        assert connection.in_atomic_block, "published outside the change's transaction"
        seen.extend(events)

    for event_type in event_types:
        subscribe(event_type, record)
    try:
        yield seen
    finally:
        for event_type in event_types:
            unsubscribe(event_type, record)
