"""Period arithmetic (pure, no database), checked as properties over any date: months added with
month ends clamped, hours in a month, and the charge of one period for every kind of price.
Billing starts each period where the previous one ended (`billed_until`), so consecutive periods
must tile time: no gap, no overlap, no month skipped or counted twice; and a period of months ends
on the service's anchor day (clamped), so 31 Jan → 28 Feb → 31 Mar, never drifting to the 28th."""

import calendar
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.catalog.models import Period
from clientpanel.client_services.calculations import (
    FIXED,
    MONTHS,
    add_months,
    anchor_day_of,
    hours_in_month,
    period_charge,
)

UTC = dt.UTC
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2200, 12, 31),
                       timezones=st.just(UTC))
month_counts = st.integers(min_value=-240, max_value=240)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.9999"), places=4)
PERIODIC = sorted(set(FIXED) | set(MONTHS))


def months_since_year_zero(moment: dt.datetime) -> int:
    return moment.year * 12 + moment.month - 1


def last_day(moment: dt.datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1]


# --- add_months -------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    ((2026, 1, 31), 1, (2026, 2, 28)),
    ((2028, 1, 31), 1, (2028, 2, 29)),
    ((2026, 3, 31), 1, (2026, 4, 30)),
    ((2026, 1, 30), 1, (2026, 2, 28)),
    ((2026, 8, 31), 6, (2027, 2, 28)),
    ((2028, 2, 29), 12, (2029, 2, 28)),
    ((2026, 12, 15), 1, (2027, 1, 15)),
    ((2026, 1, 15), -1, (2025, 12, 15)),
    ((2026, 3, 31), -1, (2026, 2, 28)),
])
def test_month_ends_are_clamped(start, months, expected):
    moment = dt.datetime(*start, 10, 30, tzinfo=UTC)
    assert add_months(moment, months) == dt.datetime(*expected, 10, 30, tzinfo=UTC)


def test_without_an_anchor_clamping_carries_on_from_the_clamped_day():
    """add_months of a bare moment: 31 Jan → 28 Feb → 28 Mar. Billing never chains it so: it passes
    the service's anchor day (next tests), else a service ordered on the 31st drifts to the 28th."""
    moment = dt.datetime(2026, 1, 31, tzinfo=UTC)
    ends = []
    for _ in range(3):
        moment = add_months(moment, 1)
        ends.append(moment.date())
    assert ends == [dt.date(2026, 2, 28), dt.date(2026, 3, 28), dt.date(2026, 4, 28)]


def chain(period: str, start: dt.datetime, count: int, anchor_day: int | None = None) -> list:
    """`count` consecutive periods, each starting where the last ended, as the billing pass makes them."""
    made, moment = [], start
    for _ in range(count):
        charge = period_charge(period=period, amount=Decimal("10"), hourly_billing=False, start=moment,
                               anchor_day=anchor_day if anchor_day is not None else start.day)
        made.append(charge)
        moment = charge.end
    return made


@pytest.mark.parametrize("period, start, ends", [
    ("MONTHLY", (2026, 1, 31), [(2026, 2, 28), (2026, 3, 31), (2026, 4, 30), (2026, 5, 31), (2026, 6, 30)]),
    ("MONTHLY", (2028, 1, 31), [(2028, 2, 29), (2028, 3, 31), (2028, 4, 30)]),
    ("MONTHLY", (2028, 1, 29), [(2028, 2, 29), (2028, 3, 29), (2028, 4, 29)]),
    ("MONTHLY", (2027, 1, 29), [(2027, 2, 28), (2027, 3, 29), (2027, 4, 29)]),
    ("MONTHLY", (2026, 8, 31), [(2026, 9, 30), (2026, 10, 31), (2026, 11, 30), (2026, 12, 31), (2027, 1, 31),
                                (2027, 2, 28), (2027, 3, 31)]),
    ("QUARTERLY", (2026, 8, 31), [(2026, 11, 30), (2027, 2, 28), (2027, 5, 31), (2027, 8, 31)]),
    ("SEMIANNUALLY", (2026, 8, 31), [(2027, 2, 28), (2027, 8, 31), (2028, 2, 29), (2028, 8, 31)]),
    ("ANNUALLY", (2028, 2, 29), [(2029, 2, 28), (2030, 2, 28), (2031, 2, 28), (2032, 2, 29)]),
    ("BIENNIALLY", (2028, 2, 29), [(2030, 2, 28), (2032, 2, 29)]),
    ("TRIENNIALLY", (2027, 5, 31), [(2030, 5, 31), (2033, 5, 31)]),
])
def test_periods_of_months_keep_the_day_they_started_on(period, start, ends):
    """Stripe's billing_cycle_anchor, WHMCS's next due date: 31 Jan → 28 Feb → 31 Mar → 30 Apr."""
    made = chain(period, dt.datetime(*start, 10, 30, tzinfo=UTC), len(ends))
    assert [c.end for c in made] == [dt.datetime(*end, 10, 30, tzinfo=UTC) for end in ends]


def test_a_drifted_period_returns_to_its_anchor_day_in_one_longer_period():
    """A service drifted by the old clamping to 28 Mar (anchor 31): its next period ends 30 Apr."""
    charge = period_charge(period="MONTHLY", amount=Decimal("10"), hourly_billing=False,
                           start=dt.datetime(2026, 3, 28, 9, tzinfo=UTC), anchor_day=31)
    assert (charge.end, charge.amount) == (dt.datetime(2026, 4, 30, 9, tzinfo=UTC), Decimal("10"))


@pytest.mark.parametrize("period, hourly_billing", [("HOURLY", False), ("DAILY", False), ("WEEKLY", False),
                                                    ("MONTHLY", True)])
def test_hours_days_and_weeks_take_no_anchor(period, hourly_billing):
    start = dt.datetime(2026, 2, 28, 23, tzinfo=UTC)
    plain = period_charge(period=period, amount=Decimal("74.4"), hourly_billing=hourly_billing, start=start)
    for anchor_day in (1, 15, 31):
        assert period_charge(period=period, amount=Decimal("74.4"), hourly_billing=hourly_billing, start=start,
                             anchor_day=anchor_day) == plain


def test_the_anchor_day_is_counted_in_utc():
    assert anchor_day_of(dt.datetime(2027, 1, 31, 22, tzinfo=dt.timezone(dt.timedelta(hours=-5)))) == 1
    assert anchor_day_of(dt.datetime(2027, 1, 31, 22, tzinfo=UTC)) == 31


@given(period=st.sampled_from(sorted(MONTHS)), anchor_day=st.integers(1, 31), count=st.integers(1, 60),
       month=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2150, 12, 1),
                          timezones=st.just(UTC)))
def test_anchored_periods_are_contiguous_start_on_the_anchor_day_and_never_overlap(period, anchor_day, month,
                                                                                    count):
    """For any anchor day and count of periods: each starts where the previous ended, on
    min(anchor, length of its month), at the same time of day; the n-th ends n × its months later."""
    first = month.replace(day=min(anchor_day, last_day(month)))
    made = chain(period, first, count, anchor_day)
    for before, after in itertools.pairwise(made):
        assert before.end == after.start and before.start < before.end  # no gap, no overlap
    for n, charge in enumerate(made):
        assert charge.start.day == min(anchor_day, last_day(charge.start))
        assert charge.start.time() == first.time()
        assert months_since_year_zero(charge.start) == months_since_year_zero(first) + MONTHS[period] * n
    assert made[-1].end.day == min(anchor_day, last_day(made[-1].end))
    assert made[-1].end == add_months(first, MONTHS[period] * count, anchor_day)  # no drift, however many


@given(moment=moments, months=month_counts)
def test_adding_months_moves_the_calendar_month_exactly_and_keeps_day_and_time_where_it_can(moment, months):
    later = add_months(moment, months)
    assert months_since_year_zero(later) == months_since_year_zero(moment) + months
    assert later.day == min(moment.day, last_day(later))
    assert (later.time(), later.tzinfo) == (moment.time(), moment.tzinfo)


@given(moment=moments, first=st.integers(0, 120), second=st.integers(1, 120))
def test_more_months_is_always_later(moment, first, second):
    assert add_months(moment, first) < add_months(moment, first + second)
    assert add_months(moment, 0) == moment


@given(moment=moments, first=month_counts, second=month_counts)
def test_days_up_to_the_28th_never_move_so_months_add_up_and_undo(moment, first, second):
    moment = moment.replace(day=min(moment.day, 28))
    assert add_months(add_months(moment, first), second) == add_months(moment, first + second)
    assert add_months(add_months(moment, first), -first) == moment


# --- hours_in_month ----------------------------------------------------------------------------------

@given(moment=moments)
def test_hours_in_a_month_are_the_hours_from_its_first_day_to_the_next_months(moment):
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    hours = hours_in_month(moment)
    assert hours == (add_months(first, 1) - first) / dt.timedelta(hours=1)
    assert hours in (672, 696, 720, 744)
    assert (hours == 696) == (moment.month == 2 and calendar.isleap(moment.year))


# --- period_charge -----------------------------------------------------------------------------------

def test_every_period_of_the_catalog_is_charged_or_known_to_have_no_periods():
    assert set(Period.values) == {*PERIODIC, "ONE_TIME"}
    start = dt.datetime(2026, 11, 22, tzinfo=UTC)
    assert period_charge(period="ONE_TIME", amount=Decimal("30"), hourly_billing=False, start=start) is None
    assert period_charge(period="FORTNIGHTLY", amount=Decimal("30"), hourly_billing=False, start=start) is None


@pytest.mark.parametrize("period, what", [
    ("HOURLY", "1h × 0.9271 per hour"), ("DAILY", "1 day × 0.9271"), ("WEEKLY", "1 week × 0.9271"),
    ("MONTHLY", "1 month × 0.9271"), ("QUARTERLY", "3 months × 0.9271"), ("SEMIANNUALLY", "6 months × 0.9271"),
    ("ANNUALLY", "1 year × 0.9271"), ("BIENNIALLY", "2 years × 0.9271"), ("TRIENNIALLY", "3 years × 0.9271"),
])
def test_each_period_says_what_it_charges(period, what):
    charge = period_charge(period=period, amount=Decimal("0.9271"), hourly_billing=False,
                           start=dt.datetime(2026, 11, 22, tzinfo=UTC))
    assert charge.what == what


@given(period=st.sampled_from(PERIODIC), amount=prices, hourly_billing=st.booleans(), start=moments)
def test_a_period_starts_when_asked_ends_after_its_length_and_charges_the_price(period, amount, hourly_billing,
                                                                                 start):
    charge = period_charge(period=period, amount=amount, hourly_billing=hourly_billing, start=start)
    assert charge.start == start and charge.end > start
    if period == "MONTHLY" and hourly_billing:
        assert charge.end - start == dt.timedelta(hours=1)
        assert charge.amount == (amount / hours_in_month(start)).quantize(Decimal("0.0001"))
    elif period in FIXED:
        assert (charge.end - start, charge.amount) == (FIXED[period], amount)
    else:
        assert (charge.end, charge.amount) == (add_months(start, MONTHS[period]), amount)


@given(period=st.sampled_from(PERIODIC), hourly_billing=st.booleans(), start=moments, count=st.integers(1, 40))
def test_consecutive_periods_tile_time_without_gaps_overlaps_or_skipped_months(period, hourly_billing, start,
                                                                                count):
    charges, moment = [], start
    for _ in range(count):  # as billing chains them: each period from the last one's end, on the anchor day
        charge = period_charge(period=period, amount=Decimal("10"), hourly_billing=hourly_billing, start=moment,
                               anchor_day=start.day)
        charges.append(charge)
        moment = charge.end
    for before, after in itertools.pairwise(charges):
        assert before.end == after.start and before.start < before.end  # no gap, no overlap
    end = charges[-1].end
    if period in MONTHS and not (period == "MONTHLY" and hourly_billing):
        assert months_since_year_zero(end) == months_since_year_zero(start) + MONTHS[period] * count
        assert end.day == min(start.day, last_day(end)) and end.time() == start.time()
        assert end == add_months(start, MONTHS[period] * count)  # no drift at all, whatever the day
    else:
        length = dt.timedelta(hours=1) if period == "MONTHLY" else FIXED[period]
        assert end - start == length * count


@given(monthly=prices, month=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2200, 12, 1)),
       months=st.integers(1, 3))
def test_a_monthly_price_charged_by_the_hour_adds_up_to_the_monthly_price_within_rounding(monthly, month, months):
    """Each hour costs round(monthly / hours in that month, 4): a month's hours add up to the monthly
    price give or take half a ten-thousandth per hour, whatever the month's length."""
    moment = dt.datetime(month.year, month.month, 1, tzinfo=UTC)
    for _ in range(months):
        hours, total, month_end = hours_in_month(moment), Decimal(0), add_months(moment, 1)
        while moment < month_end:
            charge = period_charge(period="MONTHLY", amount=monthly, hourly_billing=True, start=moment)
            total += charge.amount
            moment = charge.end
        assert moment == month_end
        assert abs(total - monthly) <= hours * Decimal("0.00005")
