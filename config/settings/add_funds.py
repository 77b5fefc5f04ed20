"""The portal's default Add Funds limits from the environment, checked when the settings load: a
figure that is not a plain positive amount stops the start with a message naming the variable and
what it holds, rather than a 500 on the first Add Funds (invoicing.add_funds_limits reads them)."""

from __future__ import annotations

import os
import re
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

# The largest figure a limit may name: far above any top-up in any currency (10 billion IDR is about
# 600,000 USD), far below what an amount can hold, so a balance plus an amount never overflows.
LIMIT_MAX = Decimal("10000000000")
_PLAIN = re.compile(r"\d{1,11}(?:\.\d{1,4})?", re.ASCII)


def _figure(name: str, default: str, *, optional: bool = False) -> str:
    text = os.environ.get(name, default).strip()
    if optional and not text:
        return ""
    if not _PLAIN.fullmatch(text) or not 0 < Decimal(text) <= LIMIT_MAX:
        raise ImproperlyConfigured(
            f"{name}={text!r} is not a valid Add Funds limit: give a positive amount such as 10 or 10.50 "
            f"(digits and a dot, at most 4 decimal places, at most {LIMIT_MAX:,})"
            + (", or leave it empty for no limit." if optional else "."))
    return text


def portal_add_funds_defaults() -> dict[str, str]:
    """minimum, maximum and maximum_balance ("" for none), as text: the figures of every currency
    that has none of its own (Settings → Add Funds limits)."""
    figures = {"minimum": _figure("CLIENTPANEL_PORTAL_ADD_FUNDS_MIN", "10"),
               "maximum": _figure("CLIENTPANEL_PORTAL_ADD_FUNDS_MAX", "10000"),
               "maximum_balance": _figure("CLIENTPANEL_PORTAL_MAX_BALANCE", "", optional=True)}
    if Decimal(figures["minimum"]) > Decimal(figures["maximum"]):
        raise ImproperlyConfigured(
            f"CLIENTPANEL_PORTAL_ADD_FUNDS_MIN={figures['minimum']!r} is above "
            f"CLIENTPANEL_PORTAL_ADD_FUNDS_MAX={figures['maximum']!r}: the minimum may not exceed the maximum.")
    return figures
