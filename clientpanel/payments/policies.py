"""Who may set up online payments: predicates over an Actor (see clientpanel.core.actor). Who may
pay a document is invoicing.policies.can_pay."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import holds_area

# A home company's gateways are its settings, like its taxes and numbering.
can_set_up_gateways = holds_area(SETTINGS)
