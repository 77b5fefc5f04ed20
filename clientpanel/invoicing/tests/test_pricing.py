"""Cleaning a proforma's items (invoicing/pricing.py): what is refused is refused as sent, never
rounded into something else first."""

from decimal import Decimal

import pytest

from clientpanel.core.errors import FieldErrors
from clientpanel.invoicing.pricing import clean_items


def cleaned_quantity(quantity):
    errors = FieldErrors()
    items = clean_items([{"description": "Work", "quantity": quantity, "unit_price": "10.00"}], "USD", errors)
    return items[0]["quantity"], errors.fields


@pytest.mark.parametrize("quantity", ["2.99999999999999999999999999999", "1.000000000000000000000000000001",
                                      "0.00001", "1e-1000000"])
def test_a_quantity_with_more_than_4_decimals_is_refused_however_many_digits_it_has(quantity):
    # 29 significant digits were rounded to 28 by normalize() before the count: "2.999…9" became 3.
    value, fields = cleaned_quantity(quantity)
    assert value is None and list(fields) == ["items.0.quantity"]


@pytest.mark.parametrize(("quantity", "expected"), [("2.5000000000000000000000000000000000", Decimal("2.5")),
                                                    ("1.2345", Decimal("1.2345")), (3, Decimal(3))])
def test_trailing_zeros_are_not_decimals(quantity, expected):
    value, fields = cleaned_quantity(quantity)
    assert value == expected and not fields
