"""The payment means an e-invoice states come from the payment's method as a code the format lists
(KSeF FormaPlatnosci, UNCL4461 in UBL/CII), not from its words: a gateway's title stored in Polish
by a payer's Polish request maps as its English does, and the system's own methods are described in
the document's language."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.storage import storages
from lxml import etree

from clientpanel.einvoices.exporters.en16931_xml import CiiExporter, UblExporter
from clientpanel.einvoices.models import EInvoice
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay

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


# Through the real path: the e-invoice made when a payment settles the proforma states that payment's method.

def _ksef_file_of_proforma_paid(make_client, *parts: tuple[str, str, str, dt.datetime]) -> etree._Element:
    """A Polish company's proforma of 100.00 net (123.00 gross) paid in `parts` (gross, method,
    method_code, paid_at), recorded in that order; the KSeF file of its final invoice."""
    client = make_client(currency="PLN", company_name="Klient sp. z o.o.", tax_id="7740001454")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    with time_machine.travel(dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        for gross, method, code, paid_at in parts:
            proforma_pay(actor=None, document_id=proforma.pk, amount=gross, method=method, method_code=code,
                         paid_at=paid_at)
    proforma.refresh_from_db()
    einvoice = EInvoice.objects.get(document=proforma.related)
    with storages["documents"].open(einvoice.file_name, "rb") as handle:
        return etree.fromstring(handle.read())


@pytest.mark.django_db
def test_the_invoice_a_card_payment_settled_says_card_in_its_ksef_file(polish_company, make_client) -> None:
    paid_at = dt.datetime(2026, 11, 5, 10, tzinfo=dt.UTC)
    root = _ksef_file_of_proforma_paid(make_client, ("123.00", "Card (Stripe)", "gateway:stripe", paid_at))
    assert text(root, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "2"


@pytest.mark.django_db
def test_a_proforma_paid_in_parts_is_paid_by_the_method_of_the_money_that_arrived_last(polish_company,
                                                                                       make_client) -> None:
    # The card's money arrived later though the transfer was recorded last (a bank statement read late).
    root = _ksef_file_of_proforma_paid(
        make_client, ("23.00", "Card (Stripe)", "gateway:stripe", dt.datetime(2026, 11, 6, 10, tzinfo=dt.UTC)),
        ("100.00", "bank transfer", "bank_transfer", dt.datetime(2026, 11, 4, 10, tzinfo=dt.UTC)))
    assert text(root, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "2"
    root = _ksef_file_of_proforma_paid(
        make_client, ("23.00", "Card (Stripe)", "gateway:stripe", dt.datetime(2026, 11, 4, 10, tzinfo=dt.UTC)),
        ("100.00", "bank transfer", "bank_transfer", dt.datetime(2026, 11, 6, 10, tzinfo=dt.UTC)))
    assert text(root, "fa:Fa/fa:Platnosc/fa:FormaPlatnosci") == "6"
