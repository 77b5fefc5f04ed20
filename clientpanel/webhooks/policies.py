"""Who may see and change webhook endpoints: staff holding Settings (their secrets sign what the
product tells the outside world)."""

from __future__ import annotations

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.actor import holds_area

can_manage_webhooks = holds_area(SETTINGS)
