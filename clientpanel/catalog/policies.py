"""Who may change the catalogue: a predicate over an Actor (see clientpanel.core.actor). Who may
order which product is clientpanel.client_services.policies with rules.py here."""

from __future__ import annotations

from clientpanel.accounts.roles import PRODUCTS, SETTINGS
from clientpanel.core.actor import Actor, holds_area

can_manage_products = holds_area(PRODUCTS)


def can_manage_exchange_rates(actor: Actor) -> bool:
    """Rates are a setting of the shop and a matter of its prices: Settings or Products."""
    return actor.has_area(SETTINGS) or actor.has_area(PRODUCTS)
