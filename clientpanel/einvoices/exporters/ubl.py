"""UBL 2.1 Invoice / CreditNote in Peppol BIS Billing 3.0 — the placement of what en16931.py decided
(element order follows the UBL 2.1 schemas, which validate by sequence)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from .payment_means import TRANSFER_CODES

if TYPE_CHECKING:
    from .en16931 import En16931Document, PartyOut

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NS = {"Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
           "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"}


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text
    return element


def _vat_scheme(parent: etree._Element, scheme: str = "VAT") -> None:
    _cbc(_cac(parent, "TaxScheme"), "ID", scheme)


def _party(parent: etree._Element, role: str, party: PartyOut) -> None:
    node = _cac(_cac(parent, role), "Party")
    if party.endpoint:
        _cbc(node, "EndpointID", party.endpoint, schemeID=party.endpoint_scheme)
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    for name, value in (("StreetName", party.street), ("AdditionalStreetName", party.street2),
                        ("CityName", party.city), ("PostalZone", party.postcode), ("CountrySubentity", party.region)):
        if value:
            _cbc(address, name, value)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    # BT-32, the national tax number: any scheme but VAT marks it.
    for company_id, scheme_id in ((party.vat_id, "VAT"), (party.tax_registration, "TAX")):
        if company_id:
            scheme = _cac(node, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", company_id)
            _vat_scheme(scheme, scheme_id)
    legal = _cac(node, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    if party.legal_id:
        _cbc(legal, "CompanyID", party.legal_id)
    if party.email:
        _cbc(_cac(node, "Contact"), "ElectronicMail", party.email)


def _period(parent: etree._Element, start: object, end: object) -> None:
    if start or end:
        period = _cac(parent, "InvoicePeriod")
        if start:
            _cbc(period, "StartDate", start.isoformat())
        if end:
            _cbc(period, "EndDate", end.isoformat())


def build(doc: En16931Document) -> bytes:
    kind = "CreditNote" if doc.credit_note else "Invoice"
    root = etree.Element(f"{{{ROOT_NS[kind]}}}{kind}", nsmap={None: ROOT_NS[kind], "cac": CAC, "cbc": CBC})
    cur = {"currencyID": doc.currency}
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", doc.number)
    _cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.due_date and not doc.credit_note:
        _cbc(root, "DueDate", doc.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if doc.credit_note else "InvoiceTypeCode", "381" if doc.credit_note else "380")
    if doc.note:
        _cbc(root, "Note", doc.note)
    _cbc(root, "DocumentCurrencyCode", doc.currency)
    if doc.tax_currency:
        _cbc(root, "TaxCurrencyCode", doc.tax_currency)
    _cbc(root, "BuyerReference", doc.buyer_reference)
    if doc.corrected_number:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", doc.corrected_number)
        if doc.corrected_date:
            _cbc(reference, "IssueDate", doc.corrected_date.isoformat())
    _party(root, "AccountingSupplierParty", doc.seller)
    _party(root, "AccountingCustomerParty", doc.buyer)
    if doc.payment_code:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", doc.payment_code)
        if doc.due_date and doc.credit_note:  # BT-9 of a credit note lives here in UBL
            _cbc(means, "PaymentDueDate", doc.due_date.isoformat())
        _cbc(means, "PaymentID", doc.number)
        if doc.payment_code in TRANSFER_CODES:  # BG-17: the account a transfer goes to
            _cbc(_cac(means, "PayeeFinancialAccount"), "ID", doc.account)
    if doc.payment_terms:
        _cbc(_cac(root, "PaymentTerms"), "Note", doc.payment_terms)

    total = _cac(root, "TaxTotal")
    _cbc(total, "TaxAmount", doc.tax, **cur)
    subtotal = _cac(total, "TaxSubtotal")
    _cbc(subtotal, "TaxableAmount", doc.vat.taxable, **cur)
    _cbc(subtotal, "TaxAmount", doc.vat.tax, **cur)
    category = _cac(subtotal, "TaxCategory")
    _cbc(category, "ID", doc.vat.category)
    if doc.vat.rate:
        _cbc(category, "Percent", doc.vat.rate)
    if doc.vat.reason_code:
        _cbc(category, "TaxExemptionReasonCode", doc.vat.reason_code)
        _cbc(category, "TaxExemptionReason", doc.vat.reason)
    _vat_scheme(category)
    if doc.tax_currency:  # BT-111: a second TaxTotal, in the tax currency, without a breakdown
        _cbc(_cac(root, "TaxTotal"), "TaxAmount", doc.tax_in_tax_currency, currencyID=doc.tax_currency)

    sums = _cac(root, "LegalMonetaryTotal")
    _cbc(sums, "LineExtensionAmount", doc.net, **cur)
    _cbc(sums, "TaxExclusiveAmount", doc.net, **cur)
    _cbc(sums, "TaxInclusiveAmount", doc.total, **cur)
    if doc.prepaid != "0.00":
        _cbc(sums, "PrepaidAmount", doc.prepaid, **cur)
    _cbc(sums, "PayableAmount", doc.payable, **cur)

    for line in doc.lines:
        node = _cac(root, "CreditNoteLine" if doc.credit_note else "InvoiceLine")
        _cbc(node, "ID", line.id)
        _cbc(node, "CreditedQuantity" if doc.credit_note else "InvoicedQuantity", line.quantity, unitCode="C62")
        _cbc(node, "LineExtensionAmount", line.net, **cur)
        _period(node, line.start, line.end)
        item = _cac(node, "Item")
        if line.description:
            _cbc(item, "Description", line.description)
        _cbc(item, "Name", line.name)
        tax = _cac(item, "ClassifiedTaxCategory")
        _cbc(tax, "ID", line.category)
        if line.rate:
            _cbc(tax, "Percent", line.rate)
        _vat_scheme(tax)
        _cbc(_cac(node, "Price"), "PriceAmount", line.price, **cur)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
