"""EN 16931 e-invoices for the rest of Europe: UBL 2.1 (Peppol BIS Billing 3.0), UN/CEFACT CII and
Factur-X (the CII inside the document's PDF).

Both syntaxes say the same things, so this module decides them once — VAT categories, identifiers,
signs, sums — into an `En16931Document` of ready-written values; ubl.py and cii.py only place them.
EN 16931 knows one VAT per line: stacked taxes are refused, never approximated. The exporters are
in en16931_xml.py (UBL and CII, and their schema check) and en16931_facturx.py (Factur-X).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clientpanel.tax.selectors import EU_COUNTRIES

from ..reasons import Reason, said
from . import CREDIT_NOTE, CannotExport, EInvoiceInput, Party
from .payment_means import CARD, CASH, payment_kind

CENTS = Decimal("0.01")
HUNDRED = Decimal(100)

# Peppol's Electronic Address Scheme codes of VAT numbers (the value is the VAT number with its
# prefix); a party elsewhere gets its e-mail address ("EM") or no electronic address.
VAT_EAS = {"AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927",
           "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "EL": "9933", "ES": "9920", "FR": "9957",
           "GB": "9932", "GR": "9933", "HR": "9934", "HU": "9910", "IE": "9935", "LI": "9936", "LT": "9937",
           "LU": "9938", "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944",
           "PL": "9945", "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951",
           "TR": "9952", "VA": "9953"}


@dataclass(frozen=True)
class PartyOut:
    name: str
    street: str
    street2: str
    city: str
    postcode: str
    region: str
    country: str
    vat_id: str  # BT-31 / BT-48, "" when not written
    tax_registration: str  # BT-32: the seller's national tax number when it has no VAT number
    legal_id: str  # BT-30 / BT-47
    endpoint_scheme: str  # BT-34 / BT-49 scheme ("9945", "EM"), "" when none
    endpoint: str
    email: str


@dataclass(frozen=True)
class LineOut:
    id: str
    name: str  # BT-153: the description's first line
    description: str  # BT-154: the whole description when it has more lines, else ""
    quantity: str
    price: str  # BT-146, never negative
    net: str  # BT-131
    category: str
    rate: str  # "" for category O (BR-O-05: no rate)
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class VatOut:
    category: str
    rate: str
    taxable: str
    tax: str
    reason_code: str
    reason: str


@dataclass(frozen=True)
class En16931Document:
    credit_note: bool
    number: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    tax_currency: str  # BT-6, "" when the VAT is accounted in the document's currency
    tax_in_tax_currency: str  # BT-111
    note: str  # BT-22: one note, as Peppol allows only one (PEPPOL-EN16931-R002)
    buyer_reference: str
    corrected_number: str
    corrected_date: dt.date | None
    seller: PartyOut
    buyer: PartyOut
    payment_code: str  # "30" / "58" (transfer to `account`), "48" card, "10" cash; "" when none applies
    account: str
    account_is_iban: bool
    payment_terms: str
    lines: tuple[LineOut, ...]
    vat: VatOut
    net: str
    tax: str
    total: str
    prepaid: str
    payable: str


def money(value: Decimal) -> str:
    """EN 16931 amounts have at most 2 decimals (BR-DEC-*); ours are in minor units already."""
    if value != value.quantize(CENTS):
        raise CannotExport(said("en_decimals", amount=value))
    # Negating a zero gives "-0.00", which some checks read as text and refuse (BR-Z-09 in CII).
    return str(abs(value).quantize(CENTS) if value == 0 else value.quantize(CENTS))


def plain(value: Decimal, least: int = 0, most: int = 4) -> str:
    """A quantity or price without needless zeros, between `least` and `most` decimals."""
    places = max(least, min(most, -value.normalize().as_tuple().exponent))
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _category(data: EInvoiceInput) -> tuple[str, Decimal | None, str, str]:
    """(category, rate, exemption reason code, exemption reason) of the whole document; the reason
    is a msgid, translated into the document's language when it is written."""
    if len(data.taxes) > 1:
        raise CannotExport(said("en_stacked_taxes", names=", ".join(t.name for t in data.taxes)))
    if data.reverse_charge:
        return "AE", Decimal(0), "VATEX-EU-AE", gettext_noop("Reverse charge")
    if not data.taxes:
        return "O", None, "VATEX-EU-O", gettext_noop("Not subject to VAT")
    rate = data.taxes[0].rate
    if rate > 0:
        return "S", rate, "", ""
    if rate < 0:
        raise CannotExport(said("en_negative_rate"))
    seller, buyer = data.seller.country.upper(), data.buyer.country.upper()
    if buyer == seller:
        return "Z", Decimal(0), "", ""
    if seller in EU_COUNTRIES and buyer not in EU_COUNTRIES:
        return "G", Decimal(0), "VATEX-EU-G", gettext_noop("Export outside the EU")
    # 0% to another member state without reverse charge has no EN 16931 category that is true for
    # a service (K needs a delivery of goods), nor has 0% from outside the EU: refuse rather than
    # declare the wrong one.
    raise CannotExport(said("en_zero_rate_abroad"))


def _endpoint(party: Party) -> tuple[str, str]:
    if party.peppol_id:  # the party's own Peppol ID: the address its e-invoices are delivered to
        scheme, _colon, identifier = party.peppol_id.partition(":")
        return scheme, identifier
    prefix = party.vat_id[:2].upper()
    if party.vat_id and prefix in VAT_EAS:
        return VAT_EAS[prefix], party.vat_id.replace(" ", "").upper()
    if party.email:
        return "EM", party.email
    return "", ""


def _party(party: Party, *, no_country: Reason, category: str) -> PartyOut:
    if not party.country:
        raise CannotExport(no_country)
    # BR-O-02: an invoice not subject to VAT carries no VAT number of either party.
    vat_id = party.vat_id.replace(" ", "").upper() if category != "O" else ""
    if category != "O" or party.peppol_id:
        scheme, endpoint = _endpoint(party)
    else:
        scheme, endpoint = ("EM", party.email) if party.email else ("", "")
    # BT-30/47: the national tax number identifies a party that shows no VAT number; otherwise its
    # company register number (KRS), when there is one.
    legal = party.tax_id if party.tax_id and not vat_id else party.registration_number
    return PartyOut(name=party.name, street=party.address1, street2=party.address2, city=party.city,
                    postcode=party.postcode, region=party.region, country=party.country.upper(), vat_id=vat_id,
                    tax_registration="", legal_id=legal.strip(), endpoint_scheme=scheme, endpoint=endpoint,
                    email=party.email)


def _check_parties(category: str, seller: PartyOut, buyer: PartyOut) -> PartyOut:
    """The seller's identifiers each category asks for (BR-CO-26, BR-S/Z/G/AE-02); may add BT-32."""
    if category in ("S", "Z", "G", "AE") and not seller.vat_id:
        if category == "AE" or not seller.legal_id:
            raise CannotExport(said("en_seller_vat"))
        # BR-S-02 accepts the seller's tax registration (BT-32) instead of a VAT number.
        seller = replace(seller, tax_registration=seller.legal_id)
    if not (seller.vat_id or seller.legal_id):
        raise CannotExport(said("en_seller_tax_number"))
    if category == "AE" and not (buyer.vat_id or buyer.legal_id):
        raise CannotExport(said("en_buyer_vat"))
    return seller


def _line_name(description: str, position: int) -> tuple[str, str]:
    text = description.strip()
    if not text:
        raise CannotExport(said("en_line_name", position=position))
    first = text.splitlines()[0].strip()
    return first, (text if first != text else "")


def build_document(data: EInvoiceInput) -> En16931Document:
    """Everything the file says, decided once for both syntaxes (raises CannotExport)."""
    category, rate, reason_code, reason = _category(data)
    credit = data.type == CREDIT_NOTE
    sign = -1 if credit else 1  # our credit notes are negative; EN 16931's are positive
    line_sum = sum((line.net for line in data.lines), Decimal(0))
    if not data.lines:
        raise CannotExport(said("en_no_lines"))
    if line_sum != data.net or data.net + data.tax != data.total:
        raise CannotExport(said("en_totals", lines=line_sum, net=data.net, tax=data.tax, total=data.total))
    if category != "S" and data.tax:
        raise CannotExport(said("en_tax_without_rate"))
    seller = _party(data.seller, category=category,
                    no_country=said("en_seller_country"))
    buyer = _party(data.buyer, category=category,
                   no_country=said("en_buyer_country"))
    seller = _check_parties(category, seller, buyer)
    rate_text = plain(rate) if rate is not None else ""

    lines = []
    for line in data.lines:
        net = sign * line.net
        name, description = _line_name(line.description, line.position)
        # BR-27: the price is never negative, so the quantity carries the sign of a negative line.
        quantity = abs(line.quantity) if net >= 0 else -abs(line.quantity)
        lines.append(LineOut(id=str(line.position), name=name, description=description, quantity=plain(quantity),
                             price=plain(abs(line.unit_price), least=2), net=money(net), category=category,
                             rate=rate_text, start=line.period_start, end=line.period_end))

    tax_currency, tax_in_tax_currency = "", ""
    if data.exchange_rate and data.exchange_rate.currency.upper() != data.currency.upper():
        tax_currency = data.exchange_rate.currency.upper()
        converted = (sign * data.tax * data.exchange_rate.rate).quantize(CENTS, rounding=ROUND_HALF_UP)
        tax_in_tax_currency = money(converted)

    total = sign * data.total
    # An invoice issued for a proforma paid in full is settled: all of it prepaid, nothing due.
    prepaid = total if data.paid_date and not credit else Decimal(0)
    with translation.override(data.language or "en"):
        file_reason = reason and _(reason)
        note = "\n\n".join(n for n in (data.reason.strip() if credit else "", data.note.strip()) if n)
        terms = ""
        if total - prepaid > 0 and (credit or not data.due_date):
            # BR-CO-25: an amount due needs a due date or payment terms; a UBL credit note has no
            # due date of its own (only one inside payment means), so a credit note always has terms.
            terms = _("Refunded or set off against other invoices.") if credit else _("Payable on receipt.")
    account = data.seller_bank_account.replace(" ", "").upper()
    is_iban = len(account) > 4 and account[:2].isalpha() and account[2:4].isdigit()  # country, check digits
    # UNCL4461: paid by card 48, in cash 10 (what the payment says, in whichever language it was
    # recorded); otherwise the transfer to the account: 58 is a SEPA credit transfer, which is in
    # euro only; any other transfer is 30.
    kind = payment_kind(data) if not credit else ""
    payment_code = {CARD: "48", CASH: "10"}.get(kind) or (
        ("58" if is_iban and data.currency.upper() == "EUR" else "30") if account else "")
    return En16931Document(
        credit_note=credit, number=data.number, issue_date=data.issue_date,
        due_date=data.due_date, currency=data.currency.upper(), tax_currency=tax_currency,
        tax_in_tax_currency=tax_in_tax_currency, note=note, buyer_reference=data.buyer_reference or data.number,
        corrected_number=data.corrected.number if credit and data.corrected else "",
        corrected_date=data.corrected.issue_date if credit and data.corrected else None,
        seller=seller, buyer=buyer, payment_code=payment_code, account=account, account_is_iban=is_iban,
        payment_terms=terms, lines=tuple(lines),
        vat=VatOut(category=category, rate=rate_text, taxable=money(sign * line_sum), tax=money(sign * data.tax),
                   reason_code=reason_code, reason=file_reason),
        net=money(sign * data.net), tax=money(sign * data.tax), total=money(total), prepaid=money(prepaid),
        payable=money(total - prepaid))
