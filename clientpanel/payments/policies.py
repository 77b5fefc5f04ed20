"""Who may set up online payments: predicates over an Actor (see clientpanel.core.actor). Who may
pay a document is invoicing.policies.can_pay."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import Actor, holds_area

# A home company's gateways are its settings, like its taxes and numbering.
can_set_up_gateways = holds_area(SETTINGS)


def can_charge_saved_methods(actor: Actor) -> bool:
    """A client's saved cards are charged from the portal by its own users only: staff signed in as
    the client (Login as Owner) would charge a card whose holder is absent, without Finance."""
    return actor.impersonator is None
