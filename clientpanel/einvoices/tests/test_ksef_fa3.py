"""The KSeF FA(3) exporter: every file it writes passes the official XSD, and its sums agree with
how the product computes a document's totals (`document_totals`). Pure: no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from clientpanel.einvoices.exporters import (
    CREDIT_NOTE,
    INVOICE,
    CannotExport,
    Corrected,
    EInvoiceInput,
    ExchangeRate,
    Line,
    Party,
    Tax,
    get_exporter,
)
from clientpanel.einvoices.exporters.ksef_fa3 import KsefFa3Exporter
from clientpanel.einvoices.exporters.ksef_fa3_xml import NAMESPACE
from clientpanel.invoicing.calculations import document_totals, line_net

NS = {"fa": NAMESPACE}
CENT = Decimal("0.01")
EXPORTER = KsefFa3Exporter()

SELLER = Party(name="Hostownia Sp. z o.o.", country="PL", address1="ul. Prosta 51", city="Warszawa",
               postcode="00-838", tax_id="526-025-09-95", vat_id="PL5260250995", email="biuro@hostownia.pl",
               phone="+48 22 100 20 30", registration_number="0000123456")
POLISH_BUSINESS = Party(name="Piekarnia Kowalski s.c.", country="PL", address1="ul. Długa 5", address2="lok. 3",
                        city="Kraków", postcode="31-147", tax_id="123-456-32-18")
GERMAN_BUSINESS = Party(name="Beispiel GmbH", country="DE", address1="Hauptstraße 1", city="Berlin",
                        postcode="10115", tax_id="DE811907980", vat_id="DE811907980")
CONSUMER = Party(name="Jan Nowak", country="PL", address1="ul. Krótka 2", city="Gdańsk", postcode="80-001",
                 email="jan@example.com", is_business=False)
AMERICAN_BUSINESS = Party(name="Example Inc.", country="US", address1="1 Main St", city="Springfield",
                          region="IL", postcode="62701", tax_id="12-3456789")
KSEF_NUMBER = "5260250995-20261102-9A4B2C-3D5E6F-A1"


def document(lines: list[tuple[str, str]], *, rate: str | None = "23", currency: str = "PLN",
             doc_type: str = INVOICE, **changes: object) -> EInvoiceInput:
    """An issued document whose totals are computed as the product computes them; `lines` are
    (quantity, unit price) pairs, negative prices on a credit note."""
    items = []
    for position, (quantity, price) in enumerate(lines, start=1):
        net = line_net(Decimal(quantity), Decimal(price), currency)
        items.append(Line(position=position, description=f"Hosting plan {position}", quantity=Decimal(quantity),
                          unit_price=Decimal(price), net=net))
    taxes = [] if rate is None else [("VAT", Decimal(rate))]
    totals = document_totals([item.net for item in items], taxes, currency)
    data = EInvoiceInput(
        type=doc_type, number="FV/2026/11/0042" if doc_type == INVOICE else "KOR/2026/11/0007",
        issue_date=dt.date(2026, 11, 23), currency=currency, net=totals.net, tax=totals.tax, total=totals.total,
        taxes=tuple(Tax(line.name, line.rate, line.amount) for line in totals.tax_lines), reverse_charge=False,
        seller=SELLER, buyer=POLISH_BUSINESS, lines=tuple(items), due_date=dt.date(2026, 12, 7),
        seller_bank_account="PL61109010140000071219812874", payment_means="bank transfer",
        note="Hostownia Sp. z o.o., Sąd Rejonowy dla m.st. Warszawy, kapitał zakładowy 5 000 zł.")
    return dataclasses.replace(data, **changes)


def exported(data: EInvoiceInput) -> etree._Element:
    """The file of `data`, after checking it passes the FA(3) schema."""
    content = EXPORTER.export(data)
    assert EXPORTER.validate(content) == []
    return etree.fromstring(content)


def text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0].text


def values(root: etree._Element, path: str) -> list[Decimal]:
    return [Decimal(element.text) for element in root.xpath(path, namespaces=NS)]


def assert_sums_hold(root: etree._Element) -> None:
    """What a reader of the file checks: the lines' nets add up to the nets per rate (P_13_x), and
    nets plus VAT (P_14_x, not the złoty P_14_xW) to the total due (P_15)."""
    lines = sum(values(root, "fa:Fa/fa:FaWiersz/fa:P_11"), Decimal(0))
    nets = sum(values(root, "fa:Fa/*[starts-with(local-name(), 'P_13_')]"), Decimal(0))
    taxes = sum(values(root, "fa:Fa/*[starts-with(local-name(), 'P_14_') and not(substring(local-name(), "
                             "string-length(local-name())) = 'W')]"), Decimal(0))
    assert lines == nets, f"the lines add up to {lines}, the nets per rate to {nets}"
    assert nets + taxes == Decimal(text(root, "fa:Fa/fa:P_15")), "P_13 + P_14 is not P_15"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_registered_under_its_key() -> None:
    assert isinstance(get_exporter("ksef_fa3"), KsefFa3Exporter)
    assert str(KsefFa3Exporter.title) == "KSeF FA(3) (Poland)"


def test_pln_invoice_at_23_percent_with_two_lines() -> None:
    data = document([("1", "49.99"), ("3", "12.50")])
    root = exported(data)
    assert text(root, "fa:Naglowek/fa:DataWytworzeniaFa") == "2026-11-22T23:00:00Z"  # midnight in Warsaw
    assert text(root, "fa:Podmiot1/fa:DaneIdentyfikacyjne/fa:NIP") == "5260250995"
    assert text(root, "fa:Podmiot1/fa:Adres/fa:AdresL1") == "ul. Prosta 51"
    assert text(root, "fa:Podmiot1/fa:Adres/fa:AdresL2") == "00-838 Warszawa"
    assert text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NIP") == "1234563218"
    assert text(root, "fa:Podmiot2/fa:Adres/fa:AdresL1") == "ul. Długa 5, lok. 3"
    assert not root.xpath("fa:Podmiot1/fa:PrefiksPodatnika", namespaces=NS)
    assert text(root, "fa:Fa/fa:KodWaluty") == "PLN"
    assert text(root, "fa:Fa/fa:RodzajFaktury") == "VAT"
    assert text(root, "fa:Fa/fa:P_13_1") == "87.49"
    assert text(root, "fa:Fa/fa:P_14_1") == "20.12"  # 87.49 × 23 % = 20.1227, on the document's net
    assert text(root, "fa:Fa/fa:P_15") == "107.61"
    assert not root.xpath("fa:Fa/fa:P_14_1W", namespaces=NS)
    assert [e.text for e in root.xpath("fa:Fa/fa:FaWiersz/fa:P_12", namespaces=NS)] == ["23", "23"]
    assert [e.text for e in root.xpath("fa:Fa/fa:FaWiersz/fa:P_8A", namespaces=NS)] == ["szt.", "szt."]
    assert [e.text for e in root.xpath("fa:Fa/fa:FaWiersz/fa:P_9A", namespaces=NS)] == ["49.99", "12.50"]
    assert text(root, "fa:Fa/fa:Adnotacje/fa:P_18") == "2"
    assert text(root, "fa:Fa/fa:Adnotacje/fa:P_18A") == "2"
    assert text(root, "fa:Fa/fa:Platnosc/fa:TerminPlatnosci/fa:Termin") == "2026-12-07"
    assert text(root, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "6"
    assert text(root, "fa:Fa/fa:Platnosc/fa:RachunekBankowy/fa:NrRB") == "PL61109010140000071219812874"
    assert not root.xpath("fa:Fa/fa:Platnosc/fa:Zaplacono", namespaces=NS)
    assert text(root, "fa:Stopka/fa:Rejestry/fa:KRS") == "0000123456"
    assert_sums_hold(root)


def test_paid_invoice_with_split_payment_and_a_billing_period() -> None:
    data = document([("1", "20000.00")], paid_date=dt.date(2026, 11, 20), payment_means="Card (Stripe)",
                    extra={"split_payment": "1", "unit": "usł."})
    period = {"period_start": dt.date(2026, 12, 1), "period_end": dt.date(2026, 12, 31)}
    data = dataclasses.replace(data, lines=tuple(dataclasses.replace(line, **period) for line in data.lines))
    root = exported(data)
    assert text(root, "fa:Fa/fa:Adnotacje/fa:P_18A") == "1"
    assert text(root, "fa:Fa/fa:Platnosc/fa:Zaplacono") == "1"
    assert text(root, "fa:Fa/fa:Platnosc/fa:DataZaplaty") == "2026-11-20"
    assert text(root, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "2"
    assert text(root, "fa:Fa/fa:OkresFa/fa:P_6_Od") == "2026-12-01"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_8A") == "usł."


def test_eur_invoice_carries_its_vat_in_zloty_at_the_nbp_rate() -> None:
    rate = ExchangeRate(currency="PLN", rate=Decimal("4.2350"), day=dt.date(2026, 11, 20), table="226/A/NBP/2026")
    data = document([("1", "100.00")], currency="EUR", exchange_rate=rate)
    root = exported(data)
    assert text(root, "fa:Fa/fa:KodWaluty") == "EUR"
    assert text(root, "fa:Fa/fa:P_14_1") == "23.00"
    # 23.00 × 4.2350 = 97.405: half up to the grosz (half-even would give 97.40).
    assert Decimal(text(root, "fa:Fa/fa:P_14_1W")) == (data.tax * rate.rate).quantize(CENT, ROUND_HALF_UP)
    assert text(root, "fa:Fa/fa:P_14_1W") == "97.41"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:KursWaluty") == "4.2350"
    note = text(root, "fa:Fa/fa:DodatkowyOpis/fa:Wartosc")
    assert "226/A/NBP/2026" in note and "2026-11-20" in note
    assert_sums_hold(root)


def test_reverse_charge_to_a_german_business() -> None:
    rate = ExchangeRate(currency="PLN", rate=Decimal("4.2350"), day=dt.date(2026, 11, 20))
    data = document([("2", "150.00")], rate="0", currency="EUR", exchange_rate=rate, reverse_charge=True,
                    buyer=GERMAN_BUSINESS)
    root = exported(data)
    assert text(root, "fa:Podmiot1/fa:PrefiksPodatnika") == "PL"
    assert text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:KodUE") == "DE"
    assert text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NrVatUE") == "811907980"
    assert text(root, "fa:Fa/fa:Adnotacje/fa:P_18") == "1"
    assert text(root, "fa:Fa/fa:P_13_9") == "300.00"  # services taxed where the EU buyer is (Art. 100(1)(4))
    assert not root.xpath("fa:Fa/*[starts-with(local-name(), 'P_14_')]", namespaces=NS)
    assert text(root, "fa:Fa/fa:P_15") == "300.00"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_12") == "np II"
    assert_sums_hold(root)


def test_domestic_reverse_charge_and_a_non_eu_buyer() -> None:
    domestic = exported(document([("1", "80.00")], rate=None, reverse_charge=True))
    assert text(domestic, "fa:Fa/fa:P_13_10") == "80.00"
    assert text(domestic, "fa:Fa/fa:FaWiersz/fa:P_12") == "oo"
    abroad = exported(document([("1", "80.00")], rate=None, reverse_charge=True, buyer=AMERICAN_BUSINESS))
    assert text(abroad, "fa:Fa/fa:P_13_8") == "80.00"
    assert text(abroad, "fa:Fa/fa:FaWiersz/fa:P_12") == "np I"
    assert text(abroad, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:KodKraju") == "US"
    assert text(abroad, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NrID") == "12-3456789"


def test_domestic_zero_rate_and_exempt_supply() -> None:
    zero = exported(document([("1", "80.00")], rate="0"))
    assert text(zero, "fa:Fa/fa:P_13_6_1") == "80.00"
    assert text(zero, "fa:Fa/fa:FaWiersz/fa:P_12") == "0 KR"
    exempt = exported(document([("1", "80.00")], rate=None,
                               extra={"vat_exemption_basis": "art. 113 ust. 1 ustawy o VAT"}))
    assert text(exempt, "fa:Fa/fa:P_13_7") == "80.00"
    assert text(exempt, "fa:Fa/fa:Adnotacje/fa:Zwolnienie/fa:P_19A") == "art. 113 ust. 1 ustawy o VAT"
    with pytest.raises(CannotExport, match="legal basis"):
        EXPORTER.export(document([("1", "80.00")], rate=None))


@pytest.mark.parametrize("ksef_number", [KSEF_NUMBER, ""])
def test_credit_note_is_a_kor_of_differences(ksef_number: str) -> None:
    corrected = Corrected(number="FV/2026/11/0003", issue_date=dt.date(2026, 11, 2), ksef_number=ksef_number)
    data = document([("1", "-40.00")], doc_type=CREDIT_NOTE, corrected=corrected, reason="Zwrot za niewykorzystany "
                    "okres usługi")
    root = exported(data)
    assert text(root, "fa:Fa/fa:RodzajFaktury") == "KOR"
    assert text(root, "fa:Fa/fa:PrzyczynaKorekty") == "Zwrot za niewykorzystany okres usługi"
    assert text(root, "fa:Fa/fa:DaneFaKorygowanej/fa:DataWystFaKorygowanej") == "2026-11-02"
    assert text(root, "fa:Fa/fa:DaneFaKorygowanej/fa:NrFaKorygowanej") == "FV/2026/11/0003"
    if ksef_number:
        assert text(root, "fa:Fa/fa:DaneFaKorygowanej/fa:NrKSeF") == "1"
        assert text(root, "fa:Fa/fa:DaneFaKorygowanej/fa:NrKSeFFaKorygowanej") == ksef_number
    else:
        assert text(root, "fa:Fa/fa:DaneFaKorygowanej/fa:NrKSeFN") == "1"
        assert not root.xpath("fa:Fa/fa:DaneFaKorygowanej/fa:NrKSeFFaKorygowanej", namespaces=NS)
    # The difference method: the amounts the note takes away, as negative differences.
    assert text(root, "fa:Fa/fa:P_13_1") == "-40.00"
    assert text(root, "fa:Fa/fa:P_14_1") == "-9.20"
    assert text(root, "fa:Fa/fa:P_15") == "-49.20"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_11") == "-40.00"
    assert not root.xpath("fa:Fa/fa:Platnosc/fa:RachunekBankowy", namespaces=NS)
    assert_sums_hold(root)


def test_credit_note_without_its_invoice_is_refused() -> None:
    with pytest.raises(CannotExport, match="corrects"):
        EXPORTER.export(document([("1", "-40.00")], doc_type=CREDIT_NOTE))


def test_unit_prices_keep_their_four_decimals() -> None:
    root = exported(document([("730", "0.0137")]))
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_8B") == "730"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_9A") == "0.0137"
    assert text(root, "fa:Fa/fa:FaWiersz/fa:P_11") == "10.00"  # 10.001 rounded, as the product rounds it
    assert_sums_hold(root)


def test_consumer_without_tax_id() -> None:
    root = exported(document([("1", "19.99")], buyer=CONSUMER))
    assert text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:BrakID") == "1"
    assert text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:Nazwa") == "Jan Nowak"
    assert text(root, "fa:Podmiot2/fa:DaneKontaktowe/fa:Email") == "jan@example.com"
    assert not root.xpath("//fa:Podmiot2//fa:NIP", namespaces=NS)


def test_foreign_currency_without_a_rate_is_refused_naming_currency_and_day() -> None:
    with pytest.raises(CannotExport) as refused:
        EXPORTER.export(document([("1", "100.00")], currency="EUR"))
    # Issued on Monday 2026-11-23: the rate is Friday's.
    assert "Enter the NBP average rate of EUR for 2026-11-20" in str(refused.value)


@pytest.mark.parametrize(("changes", "words"), [
    ({"taxes": (Tax("GST", Decimal(5), Decimal("5.00")), Tax("PST", Decimal(7), Decimal("7.00"))),
      "tax": Decimal("12.00"), "total": Decimal("112.00")}, "several taxes (GST 5%, PST 7%)"),
    ({"seller": dataclasses.replace(SELLER, country="CA")}, "sellers in Poland"),
    ({"seller": dataclasses.replace(SELLER, tax_id="123-456-78-90", vat_id="")}, "no valid NIP"),
    ({"taxes": (Tax("VAT", Decimal(19), Decimal("19.00")),), "tax": Decimal("19.00"), "total": Decimal("119.00")},
     "19% is not a Polish VAT rate"),
    ({"total": Decimal("123.01")}, "do not add up"),
    ({"buyer": dataclasses.replace(POLISH_BUSINESS, tax_id="123-456-32-19")}, "buyer's NIP 123-456-32-19 is not valid"),
])
def test_what_fa3_cannot_express_is_refused_in_words(changes: dict, words: str) -> None:
    with pytest.raises(CannotExport, match=words.replace("(", r"\(").replace(")", r"\)")):
        EXPORTER.export(document([("1", "100.00")], **changes))


def test_the_same_input_gives_the_same_bytes() -> None:
    first = EXPORTER.export(document([("1", "49.99"), ("730", "0.0137")]))
    second = KsefFa3Exporter().export(document([("1", "49.99"), ("730", "0.0137")]))
    assert first == second
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_sum_check_catches_totals_that_disagree() -> None:
    root = exported(document([("1", "49.99"), ("3", "12.50")]))
    root.xpath("fa:Fa/fa:P_13_1", namespaces=NS)[0].text = "87.50"
    with pytest.raises(AssertionError, match="lines add up"):
        assert_sums_hold(root)
    root.xpath("fa:Fa/fa:P_13_1", namespaces=NS)[0].text = "87.49"
    root.xpath("fa:Fa/fa:P_15", namespaces=NS)[0].text = "107.62"
    with pytest.raises(AssertionError, match="P_15"):
        assert_sums_hold(root)


def test_validate_reports_schema_problems() -> None:
    root = exported(document([("1", "49.99")]))
    root.xpath("fa:Fa/fa:FaWiersz/fa:P_12", namespaces=NS)[0].text = "19"
    problems = EXPORTER.validate(etree.tostring(root))
    assert problems and "P_12" in problems[0]
    assert EXPORTER.validate(b"<Faktura") and EXPORTER.validate(b"<Faktura/>")


amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5000"), places=4)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(quantities, amounts), min_size=1, max_size=6),
       rate=st.sampled_from(["23", "8", "5", "0"]), foreign=st.booleans(), credit_note=st.booleans(),
       nbp=st.decimals(min_value=Decimal("0.0100"), max_value=Decimal("9.9999"), places=4))
def test_any_document_validates_and_its_sums_hold(lines: list[tuple[Decimal, Decimal]], rate: str, foreign: bool,
                                                   credit_note: bool, nbp: Decimal) -> None:
    sign = -1 if credit_note else 1
    pairs = [(str(quantity), str(sign * price)) for quantity, price in lines]
    changes: dict = {}
    if credit_note:
        changes = {"doc_type": CREDIT_NOTE, "corrected": Corrected(number="FV/1", issue_date=dt.date(2026, 11, 2))}
    if foreign:
        changes["exchange_rate"] = ExchangeRate(currency="PLN", rate=nbp, day=dt.date(2026, 11, 20))
    data = document(pairs, rate=rate, currency="EUR" if foreign else "PLN", **changes)
    root = exported(data)
    assert_sums_hold(root)
    assert Decimal(text(root, "fa:Fa/fa:P_15")) == data.total
    if foreign and rate != "0":
        zloty = root.xpath("fa:Fa/*[starts-with(local-name(), 'P_14_') and contains(local-name(), 'W')]",
                           namespaces=NS)
        assert Decimal(zloty[0].text) == (data.tax * nbp).quantize(CENT, ROUND_HALF_UP)
