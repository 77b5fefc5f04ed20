"""core.text.whole_number: the services' one reading of a whole number (days, hours, a priority),
the one the API and the staff forms hold to — int() alone took '١٠' as 10, and '1_0'."""

from __future__ import annotations

import pytest

from clientpanel.core.text import whole_number


@pytest.mark.parametrize(("value", "number"), [
    (10, 10), ("10", 10), (" 7 ", 7), ("-1000", -1000), ("+5", 5), ("0", 0), ("007", 7)])
def test_a_sign_and_ascii_digits_are_a_whole_number(value, number):
    assert whole_number(value) == number


@pytest.mark.parametrize("value", [
    "١٠", "１０", "²", "1_0", "10.0", 10.0, "1e3", "", " ", None, True, False, "0x10", "- 5", "1" * 19, "10\x00"])
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError):
        whole_number(value)
