"""Who may see and change webhook endpoints: staff holding Settings (their secrets sign what the
product tells the outside world) who see every client — an endpoint receives every client's events
and its delivery log shows their bodies, so staff limited to their assigned clients may not."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import Actor


def can_manage_webhooks(actor: Actor) -> bool:
    return actor.has_area(SETTINGS) and not (actor.is_staff_side and actor.limited_to_assigned)
