"""The rule for amounts in bank statements: a thousands separator stands before every three digits
(after a first group of one to three), a decimal separator appears once and after every grouping
one, and a cell that breaks the rule is refused, naming the cell — never read some other way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import AMOUNT_MAX
from clientpanel.payments.bank.reading import read_statement
from clientpanel.payments.bank.rows import in_whole_units, parse_bank_amount
from clientpanel.payments.models import BankStatement, BankStatementLine

# (grouping, decimal) as banks write them: Polish, German, English, Swiss, and no grouping at all.
STYLES = [(" ", ","), ("\u00a0", ","), ("\u202f", ","), (".", ","), (",", "."), ("'", "."), ("", "."), ("", ",")]


def written(amount: Decimal, places: int, grouping: str, decimal: str) -> str:
    """An amount written in a bank's style, with exactly `places` decimals."""
    whole, _, fraction = f"{amount.copy_abs():.{places}f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = grouping.join([whole, *groups]) + (decimal + fraction if places else "")
    return ("-" if amount < 0 else "") + text


amounts = st.builds(lambda units, places, negative: (Decimal(units).scaleb(-places) * (-1 if negative else 1), places),
                    st.integers(min_value=1, max_value=int(AMOUNT_MAX)), st.integers(min_value=1, max_value=4),
                    st.booleans())


@settings(max_examples=300, deadline=None)
@given(amount_places=amounts, style=st.sampled_from(STYLES), currency=st.sampled_from(["", " PLN", "EUR "]),
       plus=st.booleans())
def test_any_amount_written_in_a_banks_style_reads_back_the_same(amount_places, style, currency, plus):
    amount, places = amount_places
    text = written(amount, places, *style)
    text = ("+" + text) if plus and amount > 0 else text
    cell = currency + text if currency.endswith(" ") else text + currency
    assert parse_bank_amount(cell) == (amount, currency.strip())


@settings(max_examples=200, deadline=None)
@given(units=st.integers(min_value=1, max_value=10**12 - 1), style=st.sampled_from(STYLES))
def test_whole_yen_written_with_any_grouping_read_back_the_same(units, style):
    text = written(Decimal(units), 0, *style)
    data = f"Date;Amount;Currency;Title\n2026-11-20;{text};JPY;x\n".encode()
    assert read_statement(data).rows[0].amount == units


groups_after = st.lists(st.integers(min_value=1, max_value=7).filter(lambda n: n != 3).map(lambda n: "7" * n)
                        | st.just("123"), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(first=st.text("0123456789", min_size=1, max_size=6), rest=groups_after,
       grouping=st.sampled_from([",", ".", " ", "'"]), fraction=st.text("0123456789", min_size=0, max_size=3))
def test_a_badly_grouped_amount_is_refused(first, rest, grouping, fraction):
    if len(first) <= 3 and all(len(group) == 3 for group in rest):
        return  # well grouped
    decimal = "." if grouping == "," else ","
    if grouping in ",." and len(rest) == 1 and not fraction:
        fraction = "5"  # "12,34" alone is 12.34: the decimal comma, not a grouping
    text = grouping.join([first, *rest]) + (decimal + fraction if fraction else "")
    with pytest.raises(ValueError, match="is not an amount"):
        parse_bank_amount(text)


@pytest.mark.parametrize("cell", ["9,876,54", "98,76,543", "9.876.54", "4 32,10", "1'23.45", "1.234,5,6", "1,234.5.6",
                                  "1,234.56,789", "12345,678.9", ",123.45", "7,", "1 234,", "1,2.3",
                                  "1,,234.50", "1  234,50", "1 234.567,89"])
def test_malformed_amounts_are_refused_naming_the_cell(cell):
    with pytest.raises(ValueError) as refused:
        parse_bank_amount(cell)
    assert f'"{cell}" is not an amount' in str(refused.value)
    assert in_whole_units(cell) is None


def test_a_statement_line_with_a_badly_grouped_amount_is_refused_and_nothing_is_read():
    data = b"Date;Amount;Currency;Title;Name\n2026-11-20;7,654,32;PLN;x;y\n2026-11-21;10,00;PLN;ok;z\n"
    with pytest.raises(ValidationFailed) as refused:
        read_statement(data)
    said = " ".join(refused.value.fields["file"])
    assert 'Line 2: "7,654,32" is not an amount' in said and "Line 3" not in said


def test_lone_separators_keep_their_meaning():
    assert parse_bank_amount("10,000") == (Decimal("10.000"), "")  # a decimal comma: 10 in PLN…
    assert in_whole_units("-3.500 JPY") == Decimal("-3500")  # …a thousands separator in yen
    assert in_whole_units("1,234.56") is None and in_whole_units("1 234") is None


@pytest.mark.django_db
def test_the_staff_panel_refuses_the_upload_of_a_badly_grouped_amount(staff_client, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("november.csv", b"Date;Amount;Currency;Title\n2026-11-19;3.210.98;EUR;PF x\n")
    with django_capture_on_commit_callbacks(execute=True):  # the upload's task starts once the request commits
        started = staff_client.post(reverse("backoffice:finance-bank-statement-upload"),
                                    {"file": upload, "currency": ""})
    page = staff_client.get(started["Location"])
    assert page.status_code == 200 and "&quot;3.210.98&quot; is not an amount" in page.content.decode()
    assert not BankStatement.objects.exists() and not BankStatementLine.objects.exists()
