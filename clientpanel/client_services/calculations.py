"""Billing periods and amounts (SPEC §9), pure: charged in advance, one period at a time."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from clientpanel.core.money import quantize_amount
from clientpanel.ledger.descriptions import PERIOD_WORDS

MONTHS = {"MONTHLY": 1, "QUARTERLY": 3, "SEMIANNUALLY": 6, "ANNUALLY": 12, "BIENNIALLY": 24, "TRIENNIALLY": 36}
FIXED = {"HOURLY": dt.timedelta(hours=1), "DAILY": dt.timedelta(days=1), "WEEKLY": dt.timedelta(days=7)}


def add_months(moment: dt.datetime, months: int, anchor_day: int | None = None) -> dt.datetime:
    """Day `anchor_day` (by default the moment's own day) of the month `months` later, at the
    moment's time: on that month's last day when it is shorter. Billing passes the day the
    service's billing started on (Service.billing_anchor_day), so a period that ended on a clamped
    day is followed by one ending on the anchor day again: 31 Jan → 28 Feb → 31 Mar → 30 Apr."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = moment.day if anchor_day is None else anchor_day
    return moment.replace(year=year, month=month, day=min(day, calendar.monthrange(year, month)[1]))


def anchor_day_of(moment: dt.datetime) -> int:
    """The anchor day of billing that starts at `moment`: its day of the month in UTC, the time zone
    periods are counted in (and the database answers in)."""
    return moment.astimezone(dt.UTC).day


def hours_in_month(moment: dt.datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1] * 24


@dataclass(frozen=True)
class PeriodCharge:
    start: dt.datetime
    end: dt.datetime
    amount: Decimal
    what: str  # "1h × 0.9271 per hour", as the ledger entry's English says
    hourly: bool = False  # an hour of an hourly price (the ledger names the rate, not a period)


def period_charge(*, period: str, amount: Decimal, hourly_billing: bool, start: dt.datetime,
                  anchor_day: int | None = None) -> PeriodCharge | None:
    """The charge for the period that starts at `start`: an HOURLY price per hour; a monthly price of
    an hourly-billing product per hour at round(monthly / (days in that month × 24), 4); every other
    period for its whole length. ONE_TIME prices have no periods. A period of months ends on the
    anchor day (the day the service's billing started; `start`'s day when not given) of the month
    it ends in, clamped to that month's length — never on a day drifted by an earlier clamp."""
    if period == "HOURLY":
        return PeriodCharge(start, start + FIXED["HOURLY"], amount, f"1h × {amount} per hour", hourly=True)
    if period == "MONTHLY" and hourly_billing:
        rate = quantize_amount(amount / hours_in_month(start))
        return PeriodCharge(start, start + FIXED["HOURLY"], rate, f"1h × {rate} per hour", hourly=True)
    if period in FIXED:
        end = start + FIXED[period]
    elif period in MONTHS:
        end = add_months(start, MONTHS[period], anchor_day)
    else:
        return None
    return PeriodCharge(start, end, amount, f"{PERIOD_WORDS[period]} × {amount}")


def charges_between(*, period: str, amount: Decimal, hourly_billing: bool, start: dt.datetime,
                    until: dt.datetime, anchor_day: int | None = None) -> Decimal:
    """What a service will be charged for the periods that start in [start, until): hour by hour
    for hourly prices (counted a month at a time, as the hourly rate of a monthly price changes
    with the month's length), period by period for the others (months ending on `anchor_day`, as
    period_charge); nothing for ONE_TIME."""
    total = Decimal(0)
    moment = start
    if period == "HOURLY" or (period == "MONTHLY" and hourly_billing):
        hour = FIXED["HOURLY"]
        while moment < until:
            month_end = add_months(moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0), 1)
            hours = -(-(min(until, month_end) - moment) // hour)  # periods starting before the stop
            total += period_charge(period=period, amount=amount, hourly_billing=hourly_billing,
                                   start=moment).amount * hours
            moment += hour * hours
        return total
    while moment < until:
        charge = period_charge(period=period, amount=amount, hourly_billing=hourly_billing, start=moment,
                               anchor_day=anchor_day)
        if charge is None:
            break
        total += charge.amount
        moment = charge.end
    return total
