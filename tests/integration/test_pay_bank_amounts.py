"""A bank statement's yen written as Japanese banks write them, "12,000" JPY (one thousands
separator, no decimals: the currency has none), was read as 12 yen — a lone separator is taken for
the decimal one, and trailing zeros for no decimals — so a 12,000 yen transfer was stored as 12 and
proposed as a partial payment; "1,200" JPY refused the whole statement. In a currency without
decimals a lone separator before three digits is a thousands separator; elsewhere it stays what it
was (a decimal comma: "12,50" PLN, "1,234" KWD)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientpanel.core.errors import ValidationFailed
from clientpanel.payments.bank.reading import read_statement


def _amount(written: str, currency: str) -> Decimal:
    data = f"Date;Amount;Currency;Title\n2026-11-20;{written};{currency};Payment PF/2026/11/0007\n".encode()
    if not currency:  # the currency written with the amount, no currency column
        data = f"Date;Amount;Title\n2026-11-20;{written};Payment PF/2026/11/0007\n".encode()
    [row] = read_statement(data).rows
    return row.amount


@pytest.mark.parametrize(("written", "currency", "amount"), [
    ("12,000", "JPY", "12000"), ("1.200", "JPY", "1200"), ("-3,500", "JPY", "-3500"), ("12000", "JPY", "12000"),
    ("1,200,000", "JPY", "1200000"), ("JPY 12,000", "", "12000"), ("12,50", "PLN", "12.50"),
    ("1,234", "KWD", "1.234"), ("1 234,56", "PLN", "1234.56"), ("10,000", "PLN", "10"),
])
def test_a_lone_separator_before_three_digits_is_thousands_in_a_currency_without_decimals(
        written, currency, amount):
    assert _amount(written, currency) == Decimal(amount)


def test_a_fraction_the_currency_cannot_have_is_still_refused():
    with pytest.raises(ValidationFailed, match="cannot be read"):
        _amount("12,5", "JPY")
