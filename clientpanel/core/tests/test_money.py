from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.core.money import (
    AmountError,
    amount_to_units,
    format_api_amount,
    parse_amount,
    parse_currency_amount,
    round_to_minor_unit,
    units_to_amount,
)


@pytest.mark.parametrize("raw, expected", [("12.3", "12.3000"), ("0.9271", "0.9271"), (5, "5.0000"),
                                           ("-135925.9536", "-135925.9536"), (" 7.10 ", "7.1000"),
                                           # Zero has no sign: "-0" was answered "-0.0000" by the API.
                                           ("-0", "0.0000"), ("-0.00", "0.0000"), ("+.5", "0.5000"),
                                           ("12.", "12.0000")])
def test_parse_amount_keeps_exact_decimals(raw, expected):
    assert parse_amount(raw) == Decimal(expected)
    assert str(parse_amount(raw)) == expected


def test_api_amounts_never_carry_the_sign_of_a_zero():
    assert format_api_amount(Decimal("-0")) == "0.0000" and format_api_amount(-Decimal("0.00")) == "0.0000"
    assert format_api_amount(Decimal("-0.5")) == "-0.5000"


@pytest.mark.parametrize("raw, message", [
    (0.1, "floating-point"), ("1.00001", "at most 4 decimal places"), ("abc", "Enter a number"),
    ("NaN", "finite"), ("1000000000000", "too large"), (None, "Enter an amount"), (True, "Enter an amount"),
    # Beyond the decimal context's exponent (999,999): refused, not a decimal.Overflow (a 500 in a form).
    ("1e1000000", "Enter a number"), ("-1E+999999999999999999", "Enter a number"), ("1e-100000000", "Enter a number"),
    # Notations Decimal() reads that nobody writes an amount in: "1e3" was 1000, "1_000" 1000, "١٢٣" 123.
    ("1e3", "Enter a number"), ("-0E+5", "Enter a number"), ("1_000", "Enter a number"), ("١٢٣", "Enter a number"),
    ("１２", "Enter a number"), ("1.2.3", "Enter a number"), (".", "Enter a number"), ("- 5", "Enter a number"),
    # More digits than the decimal context keeps (28): refused, not rounded to 5.
    ("5.00000000000000000000000000001", "at most 4 decimal places"),
])
def test_parse_amount_refuses_bad_input_with_reason(raw, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(raw)


def test_round_to_minor_unit_is_half_up_per_currency():
    assert round_to_minor_unit(Decimal("2.345"), "USD") == Decimal("2.35")
    assert round_to_minor_unit(Decimal("2.344"), "PLN") == Decimal("2.34")
    assert round_to_minor_unit(Decimal("1234.5"), "JPY") == Decimal("1235")


@given(st.decimals(min_value=Decimal("-999999999999.9999"), max_value=Decimal("999999999999.9999"), places=4))
def test_units_round_trip_is_exact(amount):
    assert units_to_amount(amount_to_units(amount)) == amount


@pytest.mark.parametrize("value, currency, expected", [
    ("100.0000", "USD", Decimal("100")), ("100.0", "JPY", Decimal("100")), ("7", "JPY", Decimal("7")),
    ("0.10", "EUR", Decimal("0.1")), ("12.500", "PLN", Decimal("12.5")),
])
def test_amounts_in_a_currency_take_its_minor_unit_and_trailing_zeros_are_not_decimals(value, currency, expected):
    assert parse_currency_amount(value, currency) == expected


@pytest.mark.parametrize("value, currency, message", [
    ("100.5", "JPY", "JPY amounts have no decimal places."),
    ("0.001", "USD", "USD amounts have at most 2 decimal places."),
    ("1.0001", "EUR", "EUR amounts have at most 2 decimal places."),
])
def test_amounts_finer_than_the_currency_are_refused_with_the_rule(value, currency, message):
    with pytest.raises(AmountError, match=message):
        parse_currency_amount(value, currency)
