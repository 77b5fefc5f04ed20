"""Reading bank statement files: encodings, delimiters, Polish and English headers, amounts as banks
write them, and every way a file is refused (with a message, writing nothing)."""

import datetime as dt
from decimal import Decimal

import pytest

from clientpanel.core.errors import ValidationFailed
from clientpanel.payments.bank.reading import fingerprints, read_statement
from clientpanel.payments.bank.rows import parse_bank_amount

POLISH = ("Data księgowania;Data operacji;Kwota;Waluta;Tytuł;Nadawca;Rachunek;Nr referencyjny\n"
          "2026-11-20;2026-11-19;\"1 234,56\";PLN;Zapłata PF/2026/11/0007;Jan Kowalski Sp. z o.o.;"
          "PL61 1090 1014 0000 0712 1981 2874;REF-1\n"
          "21.11.2026;21.11.2026;-50,00;PLN;Opłata za prowadzenie rachunku;Bank;;REF-2\n")


def test_utf8_with_bom_and_commas():
    data = "\ufeffDate,Amount,Currency,Title\n2026-11-20,120.50,EUR,Payment PF/2026/11/0007\n".encode()
    [row] = read_statement(data).rows
    assert (row.booked_on, row.amount, row.currency, row.title) == (
        dt.date(2026, 11, 20), Decimal("120.50"), "EUR", "Payment PF/2026/11/0007")
    assert row.line == 2


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2", "utf-8"])
def test_polish_headers_in_polish_encodings_and_semicolons(encoding):
    statement = read_statement(POLISH.encode(encoding))
    first, second = statement.rows
    assert first.amount == Decimal("1234.56") and first.currency == "PLN"
    assert first.title == "Zapłata PF/2026/11/0007"
    assert first.counterparty_name == "Jan Kowalski Sp. z o.o."
    assert first.counterparty_account == "PL61109010140000071219812874"
    assert first.bank_reference == "REF-1"
    assert first.booked_on == dt.date(2026, 11, 20)  # the booking date, not the operation date
    assert second.amount == Decimal("-50.00") and second.booked_on == dt.date(2026, 11, 21)


def test_windows_1250_is_told_from_iso_8859_2_by_its_letters():
    text = "Data;Kwota;Waluta;Opis\n2026-11-20;10,00;PLN;Świętość źdźbła ąę\n"
    assert read_statement(text.encode("cp1250")).rows[0].title == "Świętość źdźbła ąę"
    assert read_statement(text.encode("iso-8859-2")).rows[0].title == "Świętość źdźbła ąę"


@pytest.mark.parametrize(("written", "amount"), [
    ("1 234,56", "1234.56"), ("1\u00a0234,56", "1234.56"), ("1\u202f234,56", "1234.56"), ("-1.234,56", "-1234.56"),
    ("1,234.56", "1234.56"), ("1234.5", "1234.5"), ("1.234.567", "1234567"), ("+120,00", "120.00"),
    ("\u221250,00", "-50.00"), ("12", "12"),
])
def test_amounts_as_banks_write_them(written, amount):
    assert parse_bank_amount(written)[0] == Decimal(amount)


def test_an_amount_may_carry_its_currency():
    assert parse_bank_amount("1 234,56 PLN") == (Decimal("1234.56"), "PLN")
    data = b"Date;Amount;Title\n2026-11-20;99,90 EUR;x\n"
    assert read_statement(data).rows[0].currency == "EUR"


def test_the_header_may_follow_the_account_details_and_totals_below_the_table_are_left_out():
    data = ("#Numer rachunku;12 3456 7890\n#Okres;2026-11-01;2026-11-30\n\n"
            "#Data operacji;#Opis operacji;#Kwota;#Waluta\n"
            "2026-11-20;PF/2026/11/0007;10,00;PLN\n\n#Saldo końcowe;1 000,00\n").encode()
    [row] = read_statement(data).rows
    assert row.amount == Decimal("10.00") and row.line == 5


def test_the_currency_of_the_upload_form_serves_a_file_without_one():
    data = b"Date;Amount;Title\n2026-11-20;10,00;x\n"
    with pytest.raises(ValidationFailed, match="no currency column"):
        read_statement(data)
    assert read_statement(data, currency="PLN").rows[0].currency == "PLN"


def _refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as refused:
        read_statement(data, **kwargs)
    assert refused.value.fields["file"]
    return " ".join(refused.value.fields["file"])


def test_a_missing_required_column_is_named():
    message = _refusal(b"Date;Currency;Title\n2026-11-20;PLN;x\n")
    assert "an amount (Amount, Kwota)" in message and "Date, Currency, Title" in message


def test_what_is_not_a_csv_file_is_refused():
    assert "not a CSV file" in _refusal(b"%PDF-1.7\x00\x01\x02binary")
    assert "UTF-16" in _refusal("Date;Amount\n".encode("utf-16"))
    assert "No header line" in _refusal(b"hello world\njust some text\n")
    assert "empty" in _refusal(b"  \n")


def test_bad_lines_are_each_named_and_nothing_is_read():
    data = (b"Date;Amount;Currency;Title\n2026-11-20;10,00;PLN;ok\n2026-13-45;10,00;PLN;bad date\n"
            b"2026-11-20;ten;PLN;bad amount\n2026-11-20;0,00;PLN;zero\n"
            b"2026-11-20;1,005;PLN;too many decimals\n")
    message = _refusal(data)
    assert "4 lines of the statement cannot be read" in message
    assert "Line 3:" in message and "2026-13-45" in message
    assert "Line 4:" in message and '"ten" is not an amount' in message
    assert "Line 5: the amount is zero" in message
    assert "Line 6:" in message and "more decimals than PLN" in message


def test_too_many_lines_or_bytes_are_refused(settings):
    settings.CLIENTPANEL_BANK_STATEMENT_MAX_LINES = 3
    rows = "".join(f"2026-11-20;{n},00;PLN;t{n}\n" for n in range(1, 5))
    assert "more than 3 lines" in _refusal(f"Date;Amount;Currency;Title\n{rows}".encode())
    settings.CLIENTPANEL_BANK_STATEMENT_MAX_BYTES = 100
    assert "larger than" in _refusal(b"Date;Amount;Currency;Title\n" + b"2026-11-20;1,00;PLN;x\n" * 10)


def test_fingerprints_are_the_same_whichever_file_a_booking_is_read_from():
    once = read_statement(POLISH.encode("cp1250")).rows
    english = ("Reference,Booking date,Title,Amount,Currency,Counterparty,Account\n"
               'REF-1,20.11.2026,Zapłata PF/2026/11/0007,"1234.56",PLN,"Jan Kowalski Sp. z o.o.",'
               "PL61109010140000071219812874\n"
               "REF-2,21.11.2026,Opłata za prowadzenie rachunku,-50.00,PLN,Bank,\n")
    again = read_statement(english.encode()).rows
    assert fingerprints(once) == fingerprints(again)
    twins = b"Date;Amount;Currency;Title\n2026-11-20;10,00;PLN;same\n2026-11-20;10,00;PLN;same\n"
    first, second = fingerprints(read_statement(twins).rows)
    assert first != second  # two equal transfers on one day are two payments


def test_an_amount_of_a_million_digits_is_too_large_and_trailing_zeros_are_no_decimals():
    # abs() in the decimal context overflowed on such a cell (a 500 at the upload); copy_abs does not.
    with pytest.raises(ValueError, match="is too large"):
        parse_bank_amount("1" * 1_000_001)
    with pytest.raises(ValueError, match="is too large"):
        parse_bank_amount("-" + "9" * 1_000_001 + ",00")
    data = b"Date;Amount;Currency;Title\n2026-11-20;10,000;PLN;ten\n2026-11-20;10,001;PLN;too precise\n"
    message = _refusal(data)
    assert "Line 2:" not in message and "Line 3:" in message and "more decimals than PLN" in message
