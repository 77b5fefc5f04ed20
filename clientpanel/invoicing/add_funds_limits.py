"""The portal's Add Funds limits (SPEC §7) as they apply in a currency: its own figures, set by staff
with Settings (AddFundsLimit), or else the defaults of CLIENTPANEL_PORTAL_ADD_FUNDS taken as they
stand. No exchange rate is applied: a limit is a figure staff chose in that currency (docs/decisions.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from clientpanel.core.money import reader_amount

from .models import AddFundsLimit


@dataclass(frozen=True)
class PortalLimits:
    currency: str
    minimum: Decimal
    maximum: Decimal
    maximum_balance: Decimal | None  # None: no limit
    own: bool  # the currency's own figures; False: the defaults

    @property
    def shown(self) -> dict[str, str]:
        """The figures as the reader writes money ("¥1,000", "1 000,00 zł"), for messages and pages."""
        return {"minimum": reader_amount(self.minimum, self.currency),
                "maximum": reader_amount(self.maximum, self.currency),
                "maximum_balance": "" if self.maximum_balance is None
                else reader_amount(self.maximum_balance, self.currency)}

    def amount_problem(self, net: Decimal) -> str | None:
        """Why one top-up of `net` is outside the minimum and the maximum, or None."""
        if net < self.minimum:
            return _("Add at least %(amount)s.") % {"amount": self.shown["minimum"]}
        if net > self.maximum:
            return _("Add at most %(amount)s at once.") % {"amount": self.shown["maximum"]}
        return None


def default_limits(currency: str) -> PortalLimits:
    figures = settings.CLIENTPANEL_PORTAL_ADD_FUNDS
    balance = figures.get("maximum_balance") or ""
    return PortalLimits(currency=currency, minimum=Decimal(figures["minimum"]), maximum=Decimal(figures["maximum"]),
                        maximum_balance=Decimal(balance) if balance else None, own=False)


def _of_row(row: AddFundsLimit) -> PortalLimits:
    return PortalLimits(currency=row.currency, minimum=row.minimum, maximum=row.maximum,
                        maximum_balance=row.maximum_balance, own=True)


def portal_limits(currency: str) -> PortalLimits:
    """The limits a portal user's Add Funds keeps to in this currency."""
    row = AddFundsLimit.objects.filter(currency=currency).first()
    return default_limits(currency) if row is None else _of_row(row)


def limit_rows() -> list[PortalLimits]:
    """Every currency of the shop with the limits that apply in it, then any currency no longer
    enabled that still has figures (so staff can remove them): the Settings page."""
    own = {row.currency: _of_row(row) for row in AddFundsLimit.objects.all()}
    rows = [own.get(currency) or default_limits(currency) for currency in settings.CLIENTPANEL_CURRENCIES]
    return rows + [limits for currency, limits in sorted(own.items())
                   if currency not in settings.CLIENTPANEL_CURRENCIES]
