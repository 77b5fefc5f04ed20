"""Who may change home companies and tax rules: a predicate over an Actor (see
clientpanel.core.actor)."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import holds_area

can_change_tax_settings = holds_area(SETTINGS)
