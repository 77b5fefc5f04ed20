"""The invoice itself in a KSeF FA(3) file (the Fa element): the VAT treatment of the document's one
rate and the tax summary it fills (P_13_x / P_14_x), the annotations, a credit note's corrected
invoice, the lines (FaWiersz) and the payment. The decisions behind them are told in ksef_fa3.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ..reasons import said
from . import CREDIT_NOTE, CannotExport, EInvoiceInput, Line, in_tax_currency
from .ksef_fa3_parties import EU_VAT_PREFIXES, buyer_country
from .ksef_fa3_xml import amount_text, child, number_text
from .payment_means import CARD, CASH, MOBILE, TRANSFER, payment_description, payment_kind

DEFAULT_UNIT = "szt."


@dataclass(frozen=True)
class VatTreatment:
    """How the document's one rate is written: P_12 on every line, and the summary's fields."""

    code: str  # P_12 (TStawkaPodatku)
    net_field: str  # P_13_x
    tax_field: str = ""  # P_14_x ("" when no VAT is charged); its złoty amount is tax_field + "W"


# Polish percentage rates and their summary fields: 23/22 basic, 8/7 first reduced, 5 second
# reduced, 4/3 the flat rate for taxis (the schema's own grouping).
_PERCENT_RATES = {
    Decimal(23): ("P_13_1", "P_14_1"), Decimal(22): ("P_13_1", "P_14_1"),
    Decimal(8): ("P_13_2", "P_14_2"), Decimal(7): ("P_13_2", "P_14_2"),
    Decimal(5): ("P_13_3", "P_14_3"),
    Decimal(4): ("P_13_4", "P_14_4"), Decimal(3): ("P_13_4", "P_14_4"),
}


def vat_treatment(data: EInvoiceInput) -> tuple[VatTreatment, Decimal]:
    """The rate code and summary fields of the document's one VAT rate, and its tax amount
    (raises CannotExport for what FA(3) cannot carry)."""
    if len(data.taxes) > 1:
        raise CannotExport(said("fa3_stacked_taxes",
                                taxes=", ".join(f"{tax.name} {number_text(tax.rate)}%" for tax in data.taxes)))
    tax = data.taxes[0] if data.taxes else None
    if data.reverse_charge:
        if tax is not None and tax.amount != 0:
            raise CannotExport(said("fa3_reverse_charge_vat"))
        country = buyer_country(data.buyer)
        if country == "PL":
            return VatTreatment("oo", "P_13_10"), Decimal(0)
        if country in EU_VAT_PREFIXES:
            return VatTreatment("np II", "P_13_9"), Decimal(0)
        return VatTreatment("np I", "P_13_8"), Decimal(0)
    if tax is None:
        # A buyer outside the EU with no VAT charged: services whose place of supply is outside
        # Poland (Art. 28b) — not subject to Polish VAT, not an exemption.
        if buyer_country(data.buyer) not in EU_VAT_PREFIXES | {"PL", ""}:
            return VatTreatment("np I", "P_13_8"), Decimal(0)
        if not data.extra.get("vat_exemption_basis", "").strip():
            raise CannotExport(said("fa3_exemption_basis"))
        return VatTreatment("zw", "P_13_7"), Decimal(0)
    if tax.rate == 0:
        if tax.amount != 0:
            raise CannotExport(said("fa3_zero_rate_vat"))
        return VatTreatment("0 KR", "P_13_6_1"), Decimal(0)
    fields = _PERCENT_RATES.get(tax.rate)
    if fields is None:
        raise CannotExport(said("fa3_rate_unknown", rate=number_text(tax.rate)))
    return VatTreatment(str(int(tax.rate)), *fields), tax.amount


_FORMS = {CASH: "1", CARD: "2", TRANSFER: "6", MOBILE: "7"}  # FormaPlatnosci


def _payment_form(data: EInvoiceInput) -> tuple[str, str]:
    """FormaPlatnosci code for the recorded payment means, or ("", description) for PlatnoscInna."""
    form = _FORMS.get(payment_kind(data), "")
    return (form, "") if form else ("", payment_description(data))


def write_invoice(fa: etree._Element, data: EInvoiceInput, treatment: VatTreatment, tax_amount: Decimal,
                  rate: Decimal | None) -> None:
    """Fill the Fa element; `rate`: the NBP rate into złoty of a foreign-currency document's VAT, else None."""
    child(fa, "KodWaluty", data.currency)
    child(fa, "P_1", data.issue_date.isoformat())
    child(fa, "P_2", data.number)
    periods = {(line.period_start, line.period_end) for line in data.lines}
    if len(periods) == 1:
        start, end = next(iter(periods))
        if start and end:  # one billing period for the whole invoice (Art. 19a(3), continuous services)
            period = child(fa, "OkresFa")
            child(period, "P_6_Od", start.isoformat())
            child(period, "P_6_Do", end.isoformat())

    child(fa, treatment.net_field, amount_text(data.net))
    if treatment.tax_field:
        child(fa, treatment.tax_field, amount_text(tax_amount))
        if rate is not None:
            child(fa, treatment.tax_field + "W", amount_text(in_tax_currency(tax_amount, rate)))
    child(fa, "P_15", amount_text(data.total))

    annotations = child(fa, "Adnotacje")
    child(annotations, "P_16", "2")  # not the cash method
    child(annotations, "P_17", "2")  # not self-billing
    child(annotations, "P_18", "1" if data.reverse_charge else "2")
    child(annotations, "P_18A", "1" if data.extra.get("split_payment") == "1" else "2")
    exemption = child(annotations, "Zwolnienie")
    if treatment.code == "zw":
        child(exemption, "P_19", "1")
        child(exemption, "P_19A", data.extra["vat_exemption_basis"].strip())
    else:
        child(exemption, "P_19N", "1")
    child(child(annotations, "NoweSrodkiTransportu"), "P_22N", "1")
    child(annotations, "P_23", "2")  # not the simplified triangular procedure
    child(child(annotations, "PMarzy"), "P_PMarzyN", "1")

    if data.type == CREDIT_NOTE:
        child(fa, "RodzajFaktury", "KOR")
        _correction(fa, data)
    else:
        child(fa, "RodzajFaktury", "VAT")

    if rate is not None and data.exchange_rate is not None:
        table = f", tabela {data.exchange_rate.table}" if data.exchange_rate.table else ""
        note = child(fa, "DodatkowyOpis")
        child(note, "Klucz", "Kurs waluty")
        child(note, "Wartosc", f"1 {data.currency} = {number_text(rate, 4)} PLN, średni kurs NBP{table} "
                               f"z dnia {data.exchange_rate.day.isoformat()}")

    unit = data.extra.get("unit", "").strip() or DEFAULT_UNIT
    for line in data.lines:
        _line(fa, line, treatment, unit, rate)
    _payment(fa, data)


def _correction(fa: etree._Element, data: EInvoiceInput) -> None:
    corrected = data.corrected
    if corrected is None:
        raise CannotExport(said("fa3_no_corrected"))
    if data.reason.strip():
        child(fa, "PrzyczynaKorekty", data.reason.strip())
    invoice = child(fa, "DaneFaKorygowanej")
    child(invoice, "DataWystFaKorygowanej", corrected.issue_date.isoformat())
    child(invoice, "NrFaKorygowanej", corrected.number)
    if corrected.ksef_number.strip():
        child(invoice, "NrKSeF", "1")
        child(invoice, "NrKSeFFaKorygowanej", corrected.ksef_number.strip())
    else:
        child(invoice, "NrKSeFN", "1")  # the corrected invoice was issued outside KSeF


def _line(fa: etree._Element, line: Line, treatment: VatTreatment, unit: str, rate: Decimal | None) -> None:
    row = child(fa, "FaWiersz")
    child(row, "NrWierszaFa", str(line.position))
    child(row, "P_7", line.description)
    child(row, "P_8A", unit)
    child(row, "P_8B", number_text(line.quantity))
    child(row, "P_9A", number_text(line.unit_price, 2))  # up to 8 decimals in FA(3): the price as it was set
    child(row, "P_11", amount_text(line.net))
    child(row, "P_12", treatment.code)
    if rate is not None:
        child(row, "KursWaluty", number_text(rate, 4))


def _payment(fa: etree._Element, data: EInvoiceInput) -> None:
    form, other = _payment_form(data) if data.payment_means.strip() else ("", "")
    # A credit note asks the buyer for nothing: the account to pay into would only mislead.
    account = "" if data.type == CREDIT_NOTE else re.sub(r"\s", "", data.seller_bank_account)
    if not (data.paid_date or data.due_date or form or other or account):
        return
    payment = child(fa, "Platnosc")
    if data.paid_date:
        child(payment, "Zaplacono", "1")
        child(payment, "DataZaplaty", data.paid_date.isoformat())
    if data.due_date:
        child(child(payment, "TerminPlatnosci"), "Termin", data.due_date.isoformat())
    if form:
        child(payment, "FormaPlatnosci", form)
    elif other:
        child(payment, "PlatnoscInna", "1")
        child(payment, "OpisPlatnosci", other[:256])
    if account:
        if not 10 <= len(account) <= 34:
            raise CannotExport(said("fa3_bank_account", account=data.seller_bank_account))
        child(child(payment, "RachunekBankowy"), "NrRB", account)
