"""UN/CEFACT Cross Industry Invoice (D16B) at the Factur-X EN 16931 level — the placement of what
en16931.py decided (element order follows the Factur-X schema, which validates by sequence)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from lxml import etree

from .payment_means import TRANSFER_CODES

if TYPE_CHECKING:
    from .en16931 import En16931Document, PartyOut

GUIDELINE_ID = "urn:cen.eu:en16931:2017"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


def _el(parent: etree._Element, name: str, text: str | None = None, ns: str = RAM, **attributes: str
        ) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _date(parent: etree._Element, name: str, day: dt.date, ns: str = UDT) -> None:
    _el(_el(parent, name), "DateTimeString", day.strftime("%Y%m%d"), ns=ns, format="102")


def _party(parent: etree._Element, role: str, party: PartyOut) -> None:
    node = _el(parent, role)
    _el(node, "Name", party.name)
    if party.legal_id:
        _el(_el(node, "SpecifiedLegalOrganization"), "ID", party.legal_id)
    if party.email:
        _el(_el(_el(node, "DefinedTradeContact"), "EmailURIUniversalCommunication"), "URIID", party.email)
    address = _el(node, "PostalTradeAddress")
    for name, value in (("PostcodeCode", party.postcode), ("LineOne", party.street), ("LineTwo", party.street2),
                        ("CityName", party.city)):
        if value:
            _el(address, name, value)
    _el(address, "CountryID", party.country)
    if party.region:
        _el(address, "CountrySubDivisionName", party.region)
    if party.endpoint:
        _el(_el(node, "URIUniversalCommunication"), "URIID", party.endpoint, schemeID=party.endpoint_scheme)
    if party.tax_registration:
        _el(_el(node, "SpecifiedTaxRegistration"), "ID", party.tax_registration, schemeID="FC")
    if party.vat_id:
        _el(_el(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")


def _period(parent: etree._Element, start: dt.date | None, end: dt.date | None) -> None:
    if start or end:
        period = _el(parent, "BillingSpecifiedPeriod")
        for name, day in (("StartDateTime", start), ("EndDateTime", end)):
            if day:
                _date(period, name, day)


def build(doc: En16931Document) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "ExchangedDocumentContext", ns=RSM)
    _el(_el(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_ID)
    header = _el(root, "ExchangedDocument", ns=RSM)
    _el(header, "ID", doc.number)
    _el(header, "TypeCode", "381" if doc.credit_note else "380")
    _date(header, "IssueDateTime", doc.issue_date)
    if doc.note:
        _el(_el(header, "IncludedNote"), "Content", doc.note)

    transaction = _el(root, "SupplyChainTradeTransaction", ns=RSM)
    for line in doc.lines:
        item = _el(transaction, "IncludedSupplyChainTradeLineItem")
        _el(_el(item, "AssociatedDocumentLineDocument"), "LineID", line.id)
        product = _el(item, "SpecifiedTradeProduct")
        _el(product, "Name", line.name)
        if line.description:
            _el(product, "Description", line.description)
        _el(_el(_el(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice"), "ChargeAmount", line.price)
        _el(_el(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", line.quantity, unitCode="C62")
        settlement = _el(item, "SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ApplicableTradeTax")
        _el(tax, "TypeCode", "VAT")
        _el(tax, "CategoryCode", line.category)
        if line.rate:
            _el(tax, "RateApplicablePercent", line.rate)
        _period(settlement, line.start, line.end)
        _el(_el(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", line.net)

    agreement = _el(transaction, "ApplicableHeaderTradeAgreement")
    _el(agreement, "BuyerReference", doc.buyer_reference)
    _party(agreement, "SellerTradeParty", doc.seller)
    _party(agreement, "BuyerTradeParty", doc.buyer)
    _el(transaction, "ApplicableHeaderTradeDelivery")

    settlement = _el(transaction, "ApplicableHeaderTradeSettlement")
    _el(settlement, "PaymentReference", doc.number)
    if doc.tax_currency:
        _el(settlement, "TaxCurrencyCode", doc.tax_currency)
    _el(settlement, "InvoiceCurrencyCode", doc.currency)
    if doc.payment_code:
        means = _el(settlement, "SpecifiedTradeSettlementPaymentMeans")
        _el(means, "TypeCode", doc.payment_code)
        if doc.payment_code in TRANSFER_CODES:  # BG-17: the account a transfer goes to
            account = _el(means, "PayeePartyCreditorFinancialAccount")
            _el(account, "IBANID" if doc.account_is_iban else "ProprietaryID", doc.account)
    tax = _el(settlement, "ApplicableTradeTax")
    _el(tax, "CalculatedAmount", doc.vat.tax)
    _el(tax, "TypeCode", "VAT")
    if doc.vat.reason:
        _el(tax, "ExemptionReason", doc.vat.reason)
    _el(tax, "BasisAmount", doc.vat.taxable)
    _el(tax, "CategoryCode", doc.vat.category)
    if doc.vat.reason_code:
        _el(tax, "ExemptionReasonCode", doc.vat.reason_code)
    if doc.vat.rate:
        _el(tax, "RateApplicablePercent", doc.vat.rate)
    if doc.payment_terms or doc.due_date:
        terms = _el(settlement, "SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _el(terms, "Description", doc.payment_terms)
        if doc.due_date:
            _date(terms, "DueDateDateTime", doc.due_date)
    sums = _el(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(sums, "LineTotalAmount", doc.net)
    _el(sums, "TaxBasisTotalAmount", doc.net)
    _el(sums, "TaxTotalAmount", doc.tax, currencyID=doc.currency)
    if doc.tax_currency:
        _el(sums, "TaxTotalAmount", doc.tax_in_tax_currency, currencyID=doc.tax_currency)
    _el(sums, "GrandTotalAmount", doc.total)
    if doc.prepaid != "0.00":
        _el(sums, "TotalPrepaidAmount", doc.prepaid)
    _el(sums, "DuePayableAmount", doc.payable)
    if doc.corrected_number:
        reference = _el(settlement, "InvoiceReferencedDocument")
        _el(reference, "IssuerAssignedID", doc.corrected_number)
        if doc.corrected_date:
            _date(reference, "FormattedIssueDateTime", doc.corrected_date, ns=QDT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
