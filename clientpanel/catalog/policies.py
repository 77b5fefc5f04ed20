"""Who may change the catalogue: a predicate over an Actor (see clientpanel.core.actor). Who may
order which product is clientpanel.client_services.policies with rules.py here."""

from __future__ import annotations

from clientpanel.accounts.roles import PRODUCTS
from clientpanel.core.actor import holds_area

can_manage_products = holds_area(PRODUCTS)
