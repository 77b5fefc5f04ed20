"""OSS: another EU state's VAT a Polish seller charged consumers there is declared on the OSS return
in euros at the ECB rate, not on the Polish VAT return — the 'Tax in the tax currency' table (what
the VAT return asks for, in PLN) leaves it out; the seller's own VAT stays in."""

import datetime as dt
from decimal import Decimal as D

from clientpanel.reports.periods import Range
from clientpanel.reports.tax_collected import TaxReport, TaxRow

NOVEMBER = dt.date(2026, 11, 1)


def row(currency: str, country: str, name: str, rate: str, tax_currency: str = "PLN") -> TaxRow:
    return TaxRow(NOVEMBER, "Hostownia", currency, country, name, D(rate), 1, D("100.00"), D(rate),
                  tax_currency, D("430.00"), D(rate) * 4, 0)


def test_oss_rows_stay_out_of_the_vat_return_table():
    domestic, oss = row("EUR", "PL", "VAT", "23"), row("EUR", "DE", "MwSt.", "19")
    outside, no_tax_currency = row("USD", "US", "VAT", "23"), row("USD", "DE", "MwSt.", "19", tax_currency="")
    assert (domestic.oss, oss.oss, outside.oss, no_tax_currency.oss) == (False, True, False, False)
    report = TaxReport(span=Range(NOVEMBER, dt.date(2026, 11, 30)), rates=[domestic, oss, outside, no_tax_currency])
    assert [(r.country, r.name) for r in report.in_tax_currency] == [("PL", "VAT"), ("US", "VAT")]
