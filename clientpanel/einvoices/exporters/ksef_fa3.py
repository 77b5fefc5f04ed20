"""KSeF FA(3): the structured invoice of the Polish National e-Invoice System (schema
`schemat_FA(3)_v1-0E.xsd`, namespace http://crd.gov.pl/wzor/2025/06/25/13775/), written with lxml.

One VAT rate per document: the product computes tax per rate on the document's whole net (see
`invoicing.calculations.document_totals`), so every line carries the document's rate and the
summary has a single P_13_x / P_14_x pair. Several taxes on the same amounts (GST + PST) have no
place in FA(3) and are refused.

Decisions an accountant would make, where the schema leaves a choice:

- Reverse charge (the buyer accounts for the VAT, P_18 = 1, no VAT amount): a buyer in another EU
  state receives services taxed where it is established (Art. 28b, Art. 100(1)(4)) — rate "np II",
  net in P_13_9; a buyer in Poland — domestic reverse charge "oo", P_13_10; a buyer outside the EU —
  "np I" (supply outside Poland), P_13_8. An EU buyer identified by its VAT number also makes the
  seller show its "PL" prefix (PrefiksPodatnika, Art. 97(10)).
- 0 % without reverse charge is the domestic zero rate "0 KR" (P_13_6_1). A document without any
  VAT is an exempt supply ("zw", P_13_7), which needs the legal basis of the exemption: it is read
  from `extra["vat_exemption_basis"]` (e.g. "art. 113 ust. 1 ustawy o VAT") and refused without it.
- A credit note is a KOR written with the difference method: its amounts (already negative) are
  the differences P_13_x, P_14_x and P_15, and its lines the negative differences per item.
  `TypKorekty` (optional) is left out: its choice depends on why the note was issued, which the
  document does not say.
- Foreign currency: the VAT in złoty goes to P_14_xW (VAT × the NBP rate, half up to the grosz);
  the rate itself to each line's KursWaluty, the field FA(3) has for it outside advance invoices
  (KursWalutyZ belongs to those), and the rate's table and day to DodatkowyOpis, since FA(3) has
  no field for them. On a credit note the builder gives the corrected invoice's rate, the one the
  VAT being corrected was converted with.
- The unit (P_8A) is "szt." unless `extra["unit"]` names another; the words written into the
  file (the unit, the exchange-rate note) are Polish whatever the staff's language, since the file
  is read by the Polish tax administration.
- Split payment (P_18A) is "1" only when `extra["split_payment"] == "1"`: whether a supply is in
  annex 15 is the seller's call, not something the document knows.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import threading
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from stdnum.pl import nip as pl_nip

from . import CREDIT_NOTE, CannotExport, EInvoiceInput, Exporter, Line, Party, register

NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
SCHEMA_FILE = "schemat_FA(3)_v1-0E.xsd"
# The main schema imports these by absolute crd.gov.pl URLs; they are served from the copies that
# ksef-client ships, by file name, so validating never reaches for the network.
_SCHEMA_FILES = frozenset({SCHEMA_FILE, "StrukturyDanych_v10-0E.xsd", "ElementarneTypyDanych_v10-0E.xsd",
                           "KodyKrajow_v10-0E.xsd"})

TAX_CURRENCY = "PLN"
DEFAULT_UNIT = "szt."
SYSTEM_INFO = "Clientpanel"
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# DataWytworzeniaFa may not be earlier than this (the schema's minInclusive).
EARLIEST_CREATION = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
CENT = Decimal("0.01")

# FA(3) writes Greece as EL (the VAT prefix) and Northern Ireland as XI (TKodyKrajowUE).
EU_VAT_PREFIXES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
                             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"})
_COUNTRY_TO_VAT_PREFIX = {"GR": "EL"}
_NIP = re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}")  # TNrNIP: stdnum checks the checksum, this the form
_EU_VAT_NUMBER = re.compile(r"[0-9A-Z+*]{1,12}")  # TNrVatUE
_KRS = re.compile(r"\d{10}")


@dataclass(frozen=True)
class _Treatment:
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


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attributes)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    """TKwotowy: at most two decimals, always written with two. An amount with a finer part
    (a three-decimal currency) cannot be written without changing it, so it is refused."""
    if value != value.quantize(CENT):
        raise CannotExport(_("FA(3) writes amounts with at most two decimals; %(amount)s has more.")
                           % {"amount": value})
    return f"{(value.quantize(CENT) + 0):f}"  # "+ 0" turns a negative zero into "0.00"


def _number(value: Decimal, least_places: int = 0) -> str:
    """A quantity, price or rate as given, never rounded: needless zeros dropped, but at least
    `least_places` decimals (730; a price 12.50, 0.0137; a rate 4.2350 as NBP publishes it)."""
    exponent = value.normalize().as_tuple().exponent
    places = max(-exponent if isinstance(exponent, int) else 0, least_places)
    return f"{(value + 0).quantize(Decimal(1).scaleb(-places)):f}"  # "+ 0": no negative zero


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


def _payment_form(means: str) -> tuple[str, str]:
    """FormaPlatnosci code for the recorded payment means, or ("", description) for PlatnoscInna."""
    lowered = means.lower()
    for words, code in ((("transfer", "przelew"), "6"), (("card", "karta"), "2"),
                        (("cash", "gotówka", "gotowka"), "1"), (("blik", "mobile", "mobilna"), "7")):
        if any(word in lowered for word in words):
            return code, ""
    return "", means.strip()


@register
class KsefFa3Exporter(Exporter):
    key = "ksef_fa3"
    title = gettext_lazy("KSeF FA(3) (Poland)")

    def export(self, data: EInvoiceInput, *, pdf: bytes | None = None) -> bytes:
        seller_nip = self._check_seller(data.seller)
        treatment, tax_amount = self._treatment(data)
        self._check_sums(data, tax_amount)
        rate = self._exchange_rate(data)
        buyer_identity = self._buyer_identity(data.buyer)

        root = etree.Element(_q("Faktura"), nsmap={None: NAMESPACE})
        header = _sub(root, "Naglowek")
        _sub(header, "KodFormularza", "FA", kodSystemowy="FA (3)", wersjaSchemy="1-0E")
        _sub(header, "WariantFormularza", "3")
        _sub(header, "DataWytworzeniaFa", _creation_moment(data.issue_date))
        _sub(header, "SystemInfo", SYSTEM_INFO)

        seller = _sub(root, "Podmiot1")
        if buyer_identity[0][0] == "KodUE" and _compact(data.seller.vat_id).startswith("PL"):
            _sub(seller, "PrefiksPodatnika", "PL")  # an intra-EU supply shows the seller's EU VAT number
        identity = _sub(seller, "DaneIdentyfikacyjne")
        _sub(identity, "NIP", seller_nip)
        _sub(identity, "Nazwa", data.seller.name)
        self._address(seller, data.seller, required=True)
        self._contacts(seller, data.seller)

        buyer = _sub(root, "Podmiot2")
        identity = _sub(buyer, "DaneIdentyfikacyjne")
        for tag, text in buyer_identity:
            _sub(identity, tag, text)
        if data.buyer.name.strip():
            _sub(identity, "Nazwa", data.buyer.name)
        self._address(buyer, data.buyer, required=False)
        self._contacts(buyer, data.buyer)
        if data.buyer_reference.strip():
            _sub(buyer, "NrKlienta", data.buyer_reference)
        _sub(buyer, "JST", "2")  # not a subordinate unit of a local government
        _sub(buyer, "GV", "2")  # not a member of a VAT group

        self._invoice(_sub(root, "Fa"), data, treatment, tax_amount, rate)
        self._footer(root, data)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def validate(self, content: bytes) -> list[str]:
        try:
            document = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as error:
            return [_("The file is not well-formed XML: %(error)s") % {"error": error}]
        schema = _schema()
        # One compiled schema is shared; its error log is per object, so validations take turns.
        with _SCHEMA_LOCK:
            if schema.validate(document):
                return []
            errors = list(schema.error_log)
        return [_("Line %(line)s: %(message)s") % {"line": error.line, "message": error.message} for error in errors]

    # The checks: what FA(3) cannot express is refused before anything is written.

    def _check_seller(self, seller: Party) -> str:
        if seller.country != "PL":
            raise CannotExport(_("KSeF FA(3) is for sellers in Poland; this seller's country is %(country)s.")
                               % {"country": seller.country or "?"})
        number = _nip(seller.tax_id, seller.vat_id)
        if not number:
            raise CannotExport(_("The seller has no valid NIP (10 digits); enter it in the company's tax ID."))
        if not seller.address1.strip() and not seller.city.strip():
            raise CannotExport(_("Enter the seller's address: FA(3) requires it."))
        return number

    def _treatment(self, data: EInvoiceInput) -> tuple[_Treatment, Decimal]:
        """The rate code and summary fields of the document's one VAT rate, and its tax amount."""
        if len(data.taxes) > 1:
            raise CannotExport(
                _("FA(3) has one VAT rate per line; this document charges several taxes (%(taxes)s) on the same "
                  "amounts.") % {"taxes": ", ".join(f"{tax.name} {_number(tax.rate)}%" for tax in data.taxes)})
        tax = data.taxes[0] if data.taxes else None
        if data.reverse_charge:
            if tax is not None and tax.amount != 0:
                raise CannotExport(_("A reverse-charge document cannot charge VAT."))
            country = self._buyer_country(data.buyer)
            if country == "PL":
                return _Treatment("oo", "P_13_10"), Decimal(0)
            if country in EU_VAT_PREFIXES:
                return _Treatment("np II", "P_13_9"), Decimal(0)
            return _Treatment("np I", "P_13_8"), Decimal(0)
        if tax is None:
            # A buyer outside the EU with no VAT charged: services whose place of supply is outside
            # Poland (Art. 28b) — not subject to Polish VAT, not an exemption.
            if self._buyer_country(data.buyer) not in EU_VAT_PREFIXES | {"PL", ""}:
                return _Treatment("np I", "P_13_8"), Decimal(0)
            if not data.extra.get("vat_exemption_basis", "").strip():
                raise CannotExport(_("This document charges no VAT: enter the legal basis of the exemption under "
                                     "Settings → Home companies → E-invoices."))
            return _Treatment("zw", "P_13_7"), Decimal(0)
        if tax.rate == 0:
            if tax.amount != 0:
                raise CannotExport(_("A zero rate cannot charge VAT."))
            return _Treatment("0 KR", "P_13_6_1"), Decimal(0)
        fields = _PERCENT_RATES.get(tax.rate)
        if fields is None:
            raise CannotExport(_("%(rate)s%% is not a Polish VAT rate; FA(3) cannot carry it.")
                               % {"rate": _number(tax.rate)})
        return _Treatment(str(int(tax.rate)), *fields), tax.amount

    def _check_sums(self, data: EInvoiceInput, tax_amount: Decimal) -> None:
        """The file's sums must hold (lines → net, net + VAT → total): KSeF's readers check them."""
        lines_net = sum((line.net for line in data.lines), Decimal(0))
        if not data.lines or lines_net != data.net or data.tax != tax_amount or data.net + data.tax != data.total:
            raise CannotExport(_("The document's lines, net, tax and total do not add up."))

    def _exchange_rate(self, data: EInvoiceInput) -> Decimal | None:
        if data.currency == TAX_CURRENCY:
            return None
        rate = data.exchange_rate
        if rate is None and data.tax == 0:
            return None  # no VAT to show in złoty (reverse charge, not subject): no rate needed
        if rate is None:
            # Imported here: the exporter stays free of the models module until a rate is missing.
            from ..rates import previous_working_day

            raise CannotExport(
                _("Enter the NBP average rate of %(currency)s for %(day)s: a foreign-currency invoice shows its VAT "
                  "in złoty.") % {"currency": data.currency, "day": previous_working_day(data.issue_date).isoformat()})
        exponent = rate.rate.normalize().as_tuple().exponent
        if rate.currency != TAX_CURRENCY or rate.rate <= 0 or (isinstance(exponent, int) and exponent < -6):
            raise CannotExport(_("The exchange rate %(rate)s %(currency)s is not an NBP rate into złoty.")
                               % {"rate": rate.rate, "currency": rate.currency})
        return rate.rate

    def _buyer_country(self, buyer: Party) -> str:
        """The buyer's country as FA(3) spells EU states (EL for Greece); the VAT ID's prefix when
        the address has none."""
        if buyer.country:
            return _COUNTRY_TO_VAT_PREFIX.get(buyer.country, buyer.country)
        prefix = _compact(buyer.vat_id)[:2]
        return prefix if prefix in EU_VAT_PREFIXES else ""

    def _buyer_identity(self, buyer: Party) -> list[tuple[str, str]]:
        """NIP for a Polish business, KodUE + NrVatUE for an EU business with a VAT ID, KodKraju +
        NrID for another business with a tax ID, BrakID for a consumer or a buyer without one."""
        tax_id, vat_id = buyer.tax_id.strip(), _compact(buyer.vat_id)
        if not buyer.is_business or not (tax_id or vat_id):
            return [("BrakID", "1")]
        country = self._buyer_country(buyer)
        if country == "PL" or vat_id.startswith("PL"):
            number = _nip(tax_id, vat_id)
            if not number:
                raise CannotExport(_("The buyer's NIP %(number)s is not valid.") % {"number": tax_id or vat_id})
            return [("NIP", number)]
        prefix = vat_id[:2]
        if prefix in EU_VAT_PREFIXES:
            number = vat_id[2:]
            if not _EU_VAT_NUMBER.fullmatch(number):
                raise CannotExport(_("The buyer's EU VAT number %(number)s is not valid.") % {"number": vat_id})
            return [("KodUE", prefix), ("NrVatUE", number)]
        identity = [("KodKraju", buyer.country)] if buyer.country else []
        return [*identity, ("NrID", (tax_id or vat_id)[:50])]

    # The parts of the file.

    def _address(self, parent: etree._Element, party: Party, *, required: bool) -> None:
        first, second = _address_lines(party)
        if not first:
            return  # the buyer's address is optional in FA(3); the seller's is checked beforehand
        if not party.country:
            raise CannotExport(_("Enter the country of %(name)s: an FA(3) address needs it.") % {"name": party.name})
        address = _sub(parent, "Adres")
        _sub(address, "KodKraju", party.country)
        _sub(address, "AdresL1", first)
        if second:
            _sub(address, "AdresL2", second)

    def _contacts(self, parent: etree._Element, party: Party) -> None:
        # Contact details are not required on an invoice: a phone number longer than the schema's
        # 16 characters is left out rather than refusing the whole document for it.
        email = party.email.strip() if "@" in party.email else ""
        phone = party.phone.strip() if 0 < len(party.phone.strip()) <= 16 else ""
        if email or phone:
            contacts = _sub(parent, "DaneKontaktowe")
            for name, value in (("Email", email), ("Telefon", phone)):
                if value:
                    _sub(contacts, name, value)

    def _invoice(self, fa: etree._Element, data: EInvoiceInput, treatment: _Treatment, tax_amount: Decimal,
                 rate: Decimal | None) -> None:
        _sub(fa, "KodWaluty", data.currency)
        _sub(fa, "P_1", data.issue_date.isoformat())
        _sub(fa, "P_2", data.number)
        periods = {(line.period_start, line.period_end) for line in data.lines}
        if len(periods) == 1:
            start, end = next(iter(periods))
            if start and end:  # one billing period for the whole invoice (Art. 19a(3), continuous services)
                period = _sub(fa, "OkresFa")
                _sub(period, "P_6_Od", start.isoformat())
                _sub(period, "P_6_Do", end.isoformat())

        _sub(fa, treatment.net_field, _amount(data.net))
        if treatment.tax_field:
            _sub(fa, treatment.tax_field, _amount(tax_amount))
            if rate is not None:
                pln = (tax_amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
                _sub(fa, treatment.tax_field + "W", _amount(pln))
        _sub(fa, "P_15", _amount(data.total))

        annotations = _sub(fa, "Adnotacje")
        _sub(annotations, "P_16", "2")  # not the cash method
        _sub(annotations, "P_17", "2")  # not self-billing
        _sub(annotations, "P_18", "1" if data.reverse_charge else "2")
        _sub(annotations, "P_18A", "1" if data.extra.get("split_payment") == "1" else "2")
        exemption = _sub(annotations, "Zwolnienie")
        if treatment.code == "zw":
            _sub(exemption, "P_19", "1")
            _sub(exemption, "P_19A", data.extra["vat_exemption_basis"].strip())
        else:
            _sub(exemption, "P_19N", "1")
        _sub(_sub(annotations, "NoweSrodkiTransportu"), "P_22N", "1")
        _sub(annotations, "P_23", "2")  # not the simplified triangular procedure
        _sub(_sub(annotations, "PMarzy"), "P_PMarzyN", "1")

        if data.type == CREDIT_NOTE:
            _sub(fa, "RodzajFaktury", "KOR")
            self._correction(fa, data)
        else:
            _sub(fa, "RodzajFaktury", "VAT")

        if rate is not None and data.exchange_rate is not None:
            table = f", tabela {data.exchange_rate.table}" if data.exchange_rate.table else ""
            note = _sub(fa, "DodatkowyOpis")
            _sub(note, "Klucz", "Kurs waluty")
            _sub(note, "Wartosc", f"1 {data.currency} = {_number(rate, 4)} PLN, średni kurs NBP{table} "
                                  f"z dnia {data.exchange_rate.day.isoformat()}")

        unit = data.extra.get("unit", "").strip() or DEFAULT_UNIT
        for line in data.lines:
            self._line(fa, line, treatment, unit, rate)
        self._payment(fa, data)

    def _correction(self, fa: etree._Element, data: EInvoiceInput) -> None:
        corrected = data.corrected
        if corrected is None:
            raise CannotExport(_("A credit note needs the invoice it corrects."))
        if data.reason.strip():
            _sub(fa, "PrzyczynaKorekty", data.reason.strip())
        invoice = _sub(fa, "DaneFaKorygowanej")
        _sub(invoice, "DataWystFaKorygowanej", corrected.issue_date.isoformat())
        _sub(invoice, "NrFaKorygowanej", corrected.number)
        if corrected.ksef_number.strip():
            _sub(invoice, "NrKSeF", "1")
            _sub(invoice, "NrKSeFFaKorygowanej", corrected.ksef_number.strip())
        else:
            _sub(invoice, "NrKSeFN", "1")  # the corrected invoice was issued outside KSeF

    def _line(self, fa: etree._Element, line: Line, treatment: _Treatment, unit: str, rate: Decimal | None) -> None:
        row = _sub(fa, "FaWiersz")
        _sub(row, "NrWierszaFa", str(line.position))
        _sub(row, "P_7", line.description)
        _sub(row, "P_8A", unit)
        _sub(row, "P_8B", _number(line.quantity))
        _sub(row, "P_9A", _number(line.unit_price, 2))  # up to 8 decimals in FA(3): the price as it was set
        _sub(row, "P_11", _amount(line.net))
        _sub(row, "P_12", treatment.code)
        if rate is not None:
            _sub(row, "KursWaluty", _number(rate, 4))

    def _payment(self, fa: etree._Element, data: EInvoiceInput) -> None:
        form, other = _payment_form(data.payment_means) if data.payment_means.strip() else ("", "")
        # A credit note asks the buyer for nothing: the account to pay into would only mislead.
        account = "" if data.type == CREDIT_NOTE else re.sub(r"\s", "", data.seller_bank_account)
        if not (data.paid_date or data.due_date or form or other or account):
            return
        payment = _sub(fa, "Platnosc")
        if data.paid_date:
            _sub(payment, "Zaplacono", "1")
            _sub(payment, "DataZaplaty", data.paid_date.isoformat())
        if data.due_date:
            _sub(_sub(payment, "TerminPlatnosci"), "Termin", data.due_date.isoformat())
        if form:
            _sub(payment, "FormaPlatnosci", form)
        elif other:
            _sub(payment, "PlatnoscInna", "1")
            _sub(payment, "OpisPlatnosci", other[:256])
        if account:
            if not 10 <= len(account) <= 34:
                raise CannotExport(_("The bank account %(account)s is not an account number FA(3) accepts.")
                                   % {"account": data.seller_bank_account})
            _sub(_sub(payment, "RachunekBankowy"), "NrRB", account)

    def _footer(self, root: etree._Element, data: EInvoiceInput) -> None:
        note = data.note.strip()
        registration = re.sub(r"\D", "", data.seller.registration_number)
        krs = registration if _KRS.fullmatch(registration) else ""
        if not (note or krs):
            return
        footer = _sub(root, "Stopka")
        if note:
            _sub(_sub(footer, "Informacje"), "StopkaFaktury", note[:3500])
        if krs:
            _sub(_sub(footer, "Rejestry"), "KRS", krs)


# Validation against the official schema.

_SCHEMA_LOCK = threading.Lock()


def _schema_directory() -> Path:
    """The XSDs ksef-client ships (found without importing the package and its API client)."""
    spec = importlib.util.find_spec("ksef_client")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ksef-client, which ships the FA(3) schema, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "documents" / "fa3" / "schemas"


class _BundledSchemas(etree.Resolver):
    """Serves the schema's imports from the local copies and nothing else: an unknown import gets
    an empty document (the schema then fails to compile) instead of a download."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = system_url.rsplit("/", 1)[-1]
        if name in _SCHEMA_FILES:
            return self.resolve_filename(str(self.directory / name), context)
        return self.resolve_empty(context)


@cache
def _schema() -> etree.XMLSchema:
    directory = _schema_directory()
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_BundledSchemas(directory))
    return etree.XMLSchema(etree.parse(str(directory / SCHEMA_FILE), parser))
