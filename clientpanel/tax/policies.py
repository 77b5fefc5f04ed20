"""Who may change home companies and tax rules: a predicate over an Actor (see
clientpanel.core.actor)."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import Actor


def can_change_tax_settings(actor: Actor) -> bool:
    return actor.has_area(SETTINGS)
