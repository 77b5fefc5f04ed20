"""The payment means an e-invoice states come from the payment's method as a code the format lists
(KSeF FormaPlatnosci, UNCL4461 in UBL/CII), not from its words: a gateway's title stored in Polish
by a payer's Polish request maps as its English does, and the system's own methods are described in
the document's language."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from clientpanel.einvoices.exporters.en16931_xml import CiiExporter, UblExporter

from .test_en16931 import CII_SCHEMATRON, UBL_SCHEMATRON, VAT23, lines_of, make, schematron_errors
from .test_ksef_fa3 import document, exported, text

UBL_NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII_NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def _paid(**means: str):
    return make(lines_of(("Hosting", "12", "10.00")), VAT23, paid_date=dt.date(2026, 3, 1), due_date=None, **means)


@pytest.mark.parametrize("stored", [
    {"payment_means": "Karta (Stripe)"},  # a row from before the codes, written by a Polish request
    {"payment_means": "Card (Stripe)"},
    {"payment_means": "Card (Stripe)", "payment_method_code": "gateway:stripe"},
])
def test_a_card_payment_is_code_48_in_ubl_and_cii_whatever_language_its_title_was_stored_in(stored) -> None:
    data = _paid(**stored)
    ubl = UblExporter().export(data)
    assert UblExporter().validate(ubl) == [] and schematron_errors(ubl, UBL_SCHEMATRON) == []
    assert etree.fromstring(ubl).xpath("cac:PaymentMeans/cbc:PaymentMeansCode/text()", namespaces=UBL_NS) == ["48"]
    cii = CiiExporter().export(data)
    assert CiiExporter().validate(cii) == [] and schematron_errors(cii, CII_SCHEMATRON) == []
    assert etree.fromstring(cii).xpath("//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()",
                                       namespaces=CII_NS) == ["48"]


@pytest.mark.parametrize("stored", [
    {"payment_means": "bank transfer"},
    {"payment_means": "bank transfer", "payment_method_code": "bank_transfer"},
    {"payment_means": "Przelew bankowy"},  # the bank-transfer gateway's title stored in Polish
    {"payment_means": "przelew na konto"},  # typed by staff: read by its words
])
def test_a_transfer_stays_a_transfer_to_the_account(stored) -> None:
    root = etree.fromstring(UblExporter().export(_paid(**stored)))
    assert root.xpath("cac:PaymentMeans/cbc:PaymentMeansCode/text()", namespaces=UBL_NS) == ["30"]
    assert root.xpath("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID/text()", namespaces=UBL_NS)


def test_ksef_form_of_a_polish_stored_card_title_and_of_the_bank_statement_code() -> None:
    paid = {"paid_date": dt.date(2026, 11, 20)}
    card = exported(document([("1", "100.00")], payment_means="Karta (Stripe)", **paid))
    assert text(card, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "2"
    coded = exported(document([("1", "100.00")], payment_means="bank transfer", payment_method_code="bank_transfer"))
    assert text(coded, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "6"


@pytest.mark.parametrize(("language", "described"), [("en", "Test gateway (no real money)"),
                                                     ("pl", "Bramka testowa (bez prawdziwych pieniędzy)")])
def test_ksef_describes_a_gateway_with_no_form_in_the_documents_language(language, described) -> None:
    # Stored in Polish by a Polish payer's request, before the codes: an English invoice says it in English.
    data = document([("1", "100.00")], language=language, payment_means="Bramka testowa (bez prawdziwych pieniędzy)")
    root = exported(data)
    assert text(root, "fa:Fa/fa:Platnosc/fa:PlatnoscInna") == "1"
    assert text(root, "fa:Fa/fa:Platnosc/fa:OpisPlatnosci") == described


def test_ksef_keeps_typed_text_it_cannot_place_exactly_as_typed() -> None:
    root = exported(document([("1", "100.00")], language="en", payment_means="Kompensata z fakturą 12/2026"))
    assert text(root, "fa:Fa/fa:Platnosc/fa:OpisPlatnosci") == "Kompensata z fakturą 12/2026"
