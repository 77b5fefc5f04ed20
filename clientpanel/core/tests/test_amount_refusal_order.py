"""What an amount beyond the ledger's bounds is told: where only a positive amount goes, a negative
one however large is told it must be more than zero (not that it is too large), and the bound a
refusal names is written as the reader writes numbers ("999 999 999 999,9999" in Polish, not the
English "999,999,999,999.9999" nor "999999999999.9999")."""

from __future__ import annotations

import pytest
from django.utils import translation

from clientpanel.core.money import AmountError, parse_amount, parse_currency_amount

BELOW_INT64 = "-9223372036854775809"
ABOVE_BOUND = "1000000000000"


def _refusal(value: str, **kwargs) -> str:
    with pytest.raises(AmountError) as refused:
        parse_currency_amount(value, "USD", **kwargs)
    return str(refused.value)


@pytest.mark.parametrize("value", [BELOW_INT64, "-1" + "0" * 40, "-1000000000000", "0", "-0.01"])
def test_a_positive_amount_is_told_so_before_its_size(value):
    assert _refusal(value, positive=True) == "The amount must be more than zero."
    with pytest.raises(AmountError, match="more than zero"):
        parse_amount(value, positive=True)


def test_a_negative_amount_where_none_goes_is_told_so_before_its_size():
    assert _refusal(BELOW_INT64, allow_negative=False) == "The amount cannot be negative."


def test_an_amount_beyond_the_bounds_is_told_which_bound_in_english():
    assert _refusal(ABOVE_BOUND, positive=True) == "The amount is too large (at most 999,999,999,999.9999)."
    assert _refusal(BELOW_INT64) == "The amount is too small (at least -999,999,999,999.9999)."


def test_the_bound_is_written_as_a_polish_reader_writes_numbers():
    with translation.override("pl"):
        too_large, too_small = _refusal(ABOVE_BOUND), _refusal(BELOW_INT64)
    assert "999\u00a0999\u00a0999\u00a0999,9999" in too_large and "999999999999.9999" not in too_large
    assert "-999\u00a0999\u00a0999\u00a0999,9999" in too_small


def test_the_bounds_themselves_are_amounts():
    assert str(parse_amount("999999999999.9999", positive=True)) == "999999999999.9999"
    assert str(parse_amount("-999999999999.9999")) == "-999999999999.9999"
