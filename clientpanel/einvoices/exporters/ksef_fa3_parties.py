"""The frame of a KSeF FA(3) file around the invoice itself: the header (Naglowek), the seller and the
buyer (Podmiot1, Podmiot2) — their identifiers (NIP, EU VAT number, another country's tax ID),
addresses and contacts — and the footer (Stopka: the invoice footer, the seller's KRS number).
The seller and buyer checks here refuse what FA(3) cannot identify before anything is written."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from lxml import etree
from stdnum.pl import nip as pl_nip

from ..reasons import said
from . import CannotExport, EInvoiceInput, Party
from .ksef_fa3_xml import child

SYSTEM_INFO = "Clientpanel"
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# DataWytworzeniaFa may not be earlier than this (the schema's minInclusive).
EARLIEST_CREATION = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)

# FA(3) writes Greece as EL (the VAT prefix) and Northern Ireland as XI (TKodyKrajowUE).
EU_VAT_PREFIXES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
                             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"})
_COUNTRY_TO_VAT_PREFIX = {"GR": "EL"}
_NIP = re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}")  # TNrNIP: stdnum checks the checksum, this the form
_EU_VAT_NUMBER = re.compile(r"[0-9A-Z+*]{1,12}")  # TNrVatUE
_KRS = re.compile(r"\d{10}")


def _nip(*candidates: str) -> str:
    """The first valid NIP among the typed tax IDs (digits only, "PL" and dashes dropped)."""
    for candidate in candidates:
        if not candidate:
            continue
        number = pl_nip.compact(candidate)
        if pl_nip.is_valid(number) and _NIP.fullmatch(number):
            return number
    return ""


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z+*]", "", value).upper()


def _address_lines(party: Party) -> tuple[str, str]:
    """AdresL1: the street lines; AdresL2: postcode, city and region (the Polish way of writing an
    address). With no street, the city line comes first, as AdresL1 is the required one."""
    first = ", ".join(part.strip() for part in (party.address1, party.address2) if part.strip())
    town = " ".join(part.strip() for part in (party.postcode, party.city) if part.strip())
    second = ", ".join(part for part in (town, party.region.strip()) if part)
    return (first, second) if first else (second, "")


def _creation_moment(issue_date: dt.date) -> str:
    """DataWytworzeniaFa without a clock: midnight in Warsaw of the issue day, in UTC. The export
    must be the same bytes every time, and this is the earliest moment of the day the invoice was
    issued in Poland, so it never lies after the moment the file is really made and sent (00:00Z
    would be 01:00 or 02:00 in Warsaw). Invoices issued before FA(3) existed get the schema's
    earliest allowed moment instead."""
    midnight = dt.datetime.combine(issue_date, dt.time(0), tzinfo=WARSAW).astimezone(dt.UTC)
    return max(midnight, EARLIEST_CREATION).strftime("%Y-%m-%dT%H:%M:%SZ")


# The checks: a party FA(3) cannot identify is refused before anything is written.

def checked_seller_nip(seller: Party) -> str:
    """The seller's NIP, once the seller is one FA(3) can carry: in Poland, with a valid NIP and an address."""
    if seller.country != "PL":
        raise CannotExport(said("fa3_seller_country", country=seller.country or "?"))
    number = _nip(seller.tax_id, seller.vat_id)
    if not number:
        raise CannotExport(said("fa3_seller_nip"))
    if not seller.address1.strip() and not seller.city.strip():
        raise CannotExport(said("fa3_seller_address"))
    return number


def buyer_country(buyer: Party) -> str:
    """The buyer's country as FA(3) spells EU states (EL for Greece); the VAT ID's prefix when
    the address has none."""
    if buyer.country:
        return _COUNTRY_TO_VAT_PREFIX.get(buyer.country, buyer.country)
    prefix = _compact(buyer.vat_id)[:2]
    return prefix if prefix in EU_VAT_PREFIXES else ""


def identify_buyer(buyer: Party) -> list[tuple[str, str]]:
    """NIP for a Polish business, KodUE + NrVatUE for an EU business with a VAT ID, KodKraju +
    NrID for another business with a tax ID, BrakID for a consumer or a buyer without one."""
    tax_id, vat_id = buyer.tax_id.strip(), _compact(buyer.vat_id)
    if not buyer.is_business or not (tax_id or vat_id):
        return [("BrakID", "1")]
    country = buyer_country(buyer)
    if country == "PL" or vat_id.startswith("PL"):
        number = _nip(tax_id, vat_id)
        if not number:
            raise CannotExport(said("fa3_buyer_nip", number=tax_id or vat_id))
        return [("NIP", number)]
    prefix = vat_id[:2]
    if prefix in EU_VAT_PREFIXES:
        number = vat_id[2:]
        if not _EU_VAT_NUMBER.fullmatch(number):
            raise CannotExport(said("fa3_buyer_eu_vat", number=vat_id))
        return [("KodUE", prefix), ("NrVatUE", number)]
    identity = [("KodKraju", buyer.country)] if buyer.country else []
    return [*identity, ("NrID", (tax_id or vat_id)[:50])]


# The parts of the file.

def write_header(root: etree._Element, data: EInvoiceInput) -> None:
    """Naglowek: the form, its variant, when the file was made and by what."""
    header = child(root, "Naglowek")
    child(header, "KodFormularza", "FA", kodSystemowy="FA (3)", wersjaSchemy="1-0E")
    child(header, "WariantFormularza", "3")
    child(header, "DataWytworzeniaFa", _creation_moment(data.issue_date))
    child(header, "SystemInfo", SYSTEM_INFO)


def write_seller(root: etree._Element, data: EInvoiceInput, *, nip: str,
                 buyer_identity: list[tuple[str, str]]) -> None:
    """Podmiot1: the seller (its NIP checked by checked_seller_nip)."""
    seller = child(root, "Podmiot1")
    if buyer_identity[0][0] == "KodUE" and _compact(data.seller.vat_id).startswith("PL"):
        child(seller, "PrefiksPodatnika", "PL")  # an intra-EU supply shows the seller's EU VAT number
    identity = child(seller, "DaneIdentyfikacyjne")
    child(identity, "NIP", nip)
    child(identity, "Nazwa", data.seller.name)
    _address(seller, data.seller, required=True)
    _contacts(seller, data.seller)


def write_buyer(root: etree._Element, data: EInvoiceInput, *, buyer_identity: list[tuple[str, str]]) -> None:
    """Podmiot2: the buyer, identified as identify_buyer answered."""
    buyer = child(root, "Podmiot2")
    identity = child(buyer, "DaneIdentyfikacyjne")
    for tag, text in buyer_identity:
        child(identity, tag, text)
    if data.buyer.name.strip():
        child(identity, "Nazwa", data.buyer.name)
    _address(buyer, data.buyer, required=False)
    _contacts(buyer, data.buyer)
    if data.buyer_reference.strip():
        child(buyer, "NrKlienta", data.buyer_reference)
    child(buyer, "JST", "2")  # not a subordinate unit of a local government
    child(buyer, "GV", "2")  # not a member of a VAT group


def _address(parent: etree._Element, party: Party, *, required: bool) -> None:
    first, second = _address_lines(party)
    if not first:
        return  # the buyer's address is optional in FA(3); the seller's is checked beforehand
    if not party.country:
        raise CannotExport(said("fa3_country", name=party.name))
    address = child(parent, "Adres")
    child(address, "KodKraju", party.country)
    child(address, "AdresL1", first)
    if second:
        child(address, "AdresL2", second)


def _contacts(parent: etree._Element, party: Party) -> None:
    # Contact details are not required on an invoice: a phone number longer than the schema's
    # 16 characters is left out rather than refusing the whole document for it.
    email = party.email.strip() if "@" in party.email else ""
    phone = party.phone.strip() if 0 < len(party.phone.strip()) <= 16 else ""
    if email or phone:
        contacts = child(parent, "DaneKontaktowe")
        for name, value in (("Email", email), ("Telefon", phone)):
            if value:
                child(contacts, name, value)


def write_footer(root: etree._Element, data: EInvoiceInput) -> None:
    """Stopka, when there is something to say: the company's invoice footer, the seller's KRS number."""
    note = data.note.strip()
    registration = re.sub(r"\D", "", data.seller.registration_number)
    krs = registration if _KRS.fullmatch(registration) else ""
    if not (note or krs):
        return
    footer = child(root, "Stopka")
    if note:
        child(child(footer, "Informacje"), "StopkaFaktury", note[:3500])
    if krs:
        child(child(footer, "Rejestry"), "KRS", krs)
