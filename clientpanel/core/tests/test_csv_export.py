"""core.csv_export: cells a spreadsheet reads as text, never as a formula; numbers exact."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.core.csv_export import BOM, Amount, csv_rows, decimal_text, safe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1:A2)",
                                  "\tfoo", "\rfoo", "=1+1", "+48221234567"])
def test_text_that_would_start_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Zenith Systems", "a=b", "1-1", "", "Łódź", "'already quoted", " =spaced"])
def test_other_text_is_left_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("text", ["'=Already guarded", "''double", "'+48", "'\tx"])
def test_text_that_looks_guarded_already_gets_one_more_quote(text):
    assert safe_cell(text) == "'" + text


def test_amounts_are_numbers_and_a_negative_one_is_not_quoted():
    assert safe_cell(Amount(Decimal("-10.0000"), 2)) == "-10.00"
    assert safe_cell(Decimal("-10.5000")) == "-10.5"
    assert safe_cell(Amount(Decimal("-1234567.8900"), 2)) == "-1234567.89"  # no thousands separator


def test_amounts_keep_the_currency_decimals_and_every_significant_one():
    assert str(Amount(Decimal("12.3000"), 2)) == "12.30"
    assert str(Amount(Decimal("0.1234"), 2)) == "0.1234"
    assert str(Amount(Decimal("100.0000"), 0)) == "100"
    assert str(Amount(Decimal("0.0000"), 2)) == "0.00"
    assert str(Amount(Decimal("-0.0000"), 2)) == "0.00"
    assert decimal_text(Decimal("1E+3"), 2) == "1000.00"  # never an exponent


def test_floats_are_refused():
    with pytest.raises(TypeError):
        safe_cell(1.5)


@given(st.decimals(min_value=Decimal("-999999999999.9999"), max_value=Decimal("999999999999.9999"), places=4))
def test_an_amount_reads_back_exactly(amount):
    assert Decimal(decimal_text(amount, 2)) == amount


def test_dates_are_iso_in_the_current_time_zone():
    moment = datetime(2025, 1, 31, 12, 5, 7, tzinfo=UTC)
    with timezone.override("Europe/Warsaw"):
        assert safe_cell(moment) == "2025-01-31 13:05:07"
    assert safe_cell(date(2025, 1, 31)) == "2025-01-31"
    assert safe_cell(None) == ""


def _read(chunks) -> tuple[bytes, list[list[str]]]:
    data = b"".join(chunks)
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_file_starts_with_a_bom_and_polish_text_round_trips():
    data, table = _read(csv_rows(["Klient", "Saldo"], [["Zażółć gęślą jaźń — Łódź", Amount(Decimal("-10"), 2)],
                                                     ['Say "hi",\nthen go', None]]))
    assert data.startswith(BOM) and data.count(BOM) == 1
    assert table == [["Klient", "Saldo"], ["Zażółć gęślą jaźń — Łódź", "-10.00"], ['Say "hi",\nthen go', ""]]
    assert b"\r\n" in data


def test_rows_are_read_lazily_and_handed_out_in_chunks_of_whole_lines():
    def many():
        for n in range(5000):
            yield [f"client {n}", Decimal(n)]

    chunks = list(csv_rows(["Name", "n"], many(), chunk_bytes=4096))
    assert len(chunks) > 10
    assert all(chunk.endswith(b"\r\n") for chunk in chunks)
    _, table = _read(chunks)
    assert len(table) == 5001 and table[-1] == ["client 4999", "4999"]


def test_formulas_are_quoted_in_the_written_file():
    _, table = _read(csv_rows(["a"], [["=cmd|' /C calc'!A0"], ["@SUM(1)"], ["-2+3"]]))
    assert [row[0] for row in table[1:]] == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3"]
