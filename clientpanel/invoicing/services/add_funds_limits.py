"""Staff set a currency's own Add Funds limits for the portal (Settings → Add Funds limits), or
remove them so the currency keeps the defaults again. Each change is one transaction with its audit
event; the figures are amounts in that currency (its minor unit: no decimals for JPY, three for KWD)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import keyed_row_delete, keyed_row_set
from clientpanel.core.errors import FieldErrors, require
from clientpanel.core.money import AmountError, parse_currency_amount, quantize_amount, reader_amount

from .. import policies
from ..models import AddFundsLimit

# The largest figure a limit may name (as for the defaults, config/settings/add_funds.py).
LIMIT_MAX = Decimal("10000000000")


def _figure(value: object, currency: str, field: str, errors: FieldErrors, *, optional: bool = False) -> Decimal | None:
    if optional and (value is None or not str(value).strip()):
        return None
    try:
        amount = parse_currency_amount(value, currency, allow_negative=False)
    except AmountError as error:
        errors.add(field, str(error))
        return None
    if amount <= 0:
        errors.add(field, _("Enter an amount above zero."))
    elif amount > LIMIT_MAX:
        errors.add(field, _("Enter at most %(amount)s.") % {"amount": reader_amount(LIMIT_MAX, currency)})
    else:
        return quantize_amount(amount)  # as the row reads it back, so an unchanged figure compares equal
    return None


def _cleaned(currency: str, minimum: object, maximum: object, maximum_balance: object) -> dict:
    errors = FieldErrors()
    if currency not in settings.CLIENTPANEL_CURRENCIES:
        errors.add("currency", _("Use one of %(choices)s.") % {"choices": ", ".join(settings.CLIENTPANEL_CURRENCIES)})
        errors.raise_if_any()
    low = _figure(minimum, currency, "minimum", errors)
    high = _figure(maximum, currency, "maximum", errors)
    balance = _figure(maximum_balance, currency, "maximum_balance", errors, optional=True)
    if low is not None and high is not None and high < low:
        errors.add("maximum", _("The maximum may not be below the minimum (%(amount)s).")
                   % {"amount": reader_amount(low, currency)})
    if low is not None and balance is not None and balance < low:
        errors.add("maximum_balance", _("The maximum balance may not be below the minimum (%(amount)s): no client "
                                        "could add funds.") % {"amount": reader_amount(low, currency)})
    errors.raise_if_any()
    return {"minimum": low, "maximum": high, "maximum_balance": balance}


def add_funds_limit_save(*, actor: ActorLike, currency: str, minimum: object, maximum: object,
                         maximum_balance: object = None) -> AddFundsLimit:
    """Set the currency's own limits (maximum_balance empty: none); from now on its portal Add Funds
    keeps to them. Saving the same figures again writes nothing."""
    require(policies.can_manage_add_funds_limits(as_actor(actor)),
            _("You are not allowed to change the Add Funds limits."))
    currency = str(currency or "").strip().upper()
    figures = _cleaned(currency, minimum, maximum, maximum_balance)
    return keyed_row_set(AddFundsLimit, {"currency": currency}, figures, action="add_funds_limit")


def add_funds_limit_delete(*, actor: ActorLike, currency: str) -> None:
    """Remove the currency's own limits: its portal Add Funds keeps to the defaults again."""
    require(policies.can_manage_add_funds_limits(as_actor(actor)),
            _("You are not allowed to change the Add Funds limits."))
    keyed_row_delete(AddFundsLimit, {"currency": str(currency or "").upper()}, action="add_funds_limit",
                     missing=_("This currency has no limits of its own."))
