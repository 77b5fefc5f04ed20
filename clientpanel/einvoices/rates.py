"""The exchange rate that converts a foreign-currency document's VAT into złoty (Art. 31a of the
Polish VAT act): the NBP average rate (table A) of the last working day before the issue day.
NBP publishes no table on weekends and Polish public holidays, so "the last working day" is
computed, and the rate of exactly that day is required — a missing one is asked for, never
replaced by an older one."""

from __future__ import annotations

import datetime as dt

from .exporters import ExchangeRate
from .models import VatExchangeRate

TAX_CURRENCY = {"PL": "PLN"}  # the countries whose e-invoices carry the VAT in their own currency


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous algorithm, as in Meeus' Astronomical Algorithms)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def polish_holidays(year: int) -> set[dt.date]:
    """Public holidays of Poland (days off work; Christmas Eve since 2025)."""
    easter = easter_sunday(year)
    fixed = {(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)}
    if year >= 2025:
        fixed.add((12, 24))
    days = {dt.date(year, month, day) for month, day in fixed}
    # Easter Monday and Corpus Christi; Easter and Pentecost fall on Sundays anyway.
    return days | {easter + dt.timedelta(days=1), easter + dt.timedelta(days=60)}


def previous_working_day(day: dt.date) -> dt.date:
    """The last day before `day` that is neither a weekend nor a Polish public holiday."""
    candidate = day - dt.timedelta(days=1)
    while candidate.weekday() >= 5 or candidate in polish_holidays(candidate.year):
        candidate -= dt.timedelta(days=1)
    return candidate


def tax_currency(seller_country: str) -> str:
    return TAX_CURRENCY.get(seller_country, "")


def vat_rate_for(*, currency: str, to_currency: str, issue_day: dt.date) -> tuple[dt.date, ExchangeRate | None]:
    """The day whose rate the document needs, and the rate when staff have entered it."""
    day = previous_working_day(issue_day)
    found = VatExchangeRate.objects.filter(currency=currency, to_currency=to_currency, day=day).first()
    if found is None:
        return day, None
    return day, ExchangeRate(currency=to_currency, rate=found.rate.normalize(), day=found.day, table=found.table)
