"""E-invoice exporters (issue 16): one small interface, a registry by key — like gateways and
provisioning modules. An exporter turns what an issued invoice or credit note says (`EInvoiceInput`,
built from the document's snapshot by einvoices/building.py; never the live client or company) into
the structured file its home company's country requires: KSeF FA(3) for Polish companies, EN 16931
(UBL 2.1 / CII, Factur-X) for the rest of Europe.

An exporter is pure: the same input gives the same bytes, it reads no database and no clock. What
it cannot express (stacked Canadian taxes, a foreign-currency invoice without the PLN rate) it
refuses with `CannotExport` and the reason in words, never a guess.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from clientpanel.core.registry import Registry

from ..reasons import said

INVOICE, CREDIT_NOTE = "INVOICE", "CREDIT_NOTE"


class CannotExport(Exception):
    """This document cannot be written in this format; the message says why, for staff."""


@dataclass(frozen=True)
class Party:
    """The seller (the home company at issue) or the buyer (the client at issue)."""

    name: str
    country: str  # ISO 3166-1 alpha-2, "" when unknown
    address1: str = ""
    address2: str = ""
    city: str = ""
    postcode: str = ""
    region: str = ""
    tax_id: str = ""  # the national tax number as typed (NIP for Poland: 10 digits, maybe with "PL" or dashes)
    vat_id: str = ""  # the EU VAT number with its country prefix ("PL5260250995", "DE811907980"), "" if none
    email: str = ""
    phone: str = ""
    registration_number: str = ""  # KRS, company register number
    peppol_id: str = ""  # Peppol participant ID, "scheme:identifier" ("0088:5790000436057"), "" if none
    is_business: bool = True  # False: a consumer (no company name, no tax ID)


@dataclass(frozen=True)
class Line:
    position: int  # 1, 2, …
    description: str
    quantity: Decimal  # up to 4 decimals
    unit_price: Decimal  # net, up to 4 decimals
    net: Decimal  # quantity × unit price rounded to the currency's minor unit (negative on a credit note)
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True)
class Tax:
    """One tax of the document: VAT at one rate (EU), or one of stacked taxes (GST + PST, Canada)."""

    name: str  # "VAT", "GST", "PST"
    rate: Decimal  # percent: Decimal("23"), Decimal("0")
    amount: Decimal  # on the document's whole net, rounded to the minor unit


@dataclass(frozen=True)
class Corrected:
    """A credit note's corrected invoice."""

    number: str
    issue_date: dt.date
    ksef_number: str = ""  # the invoice's number in KSeF, when it was accepted there


@dataclass(frozen=True)
class ExchangeRate:
    """The rate converting the document's currency into the tax currency (PLN for KSeF): units of
    PLN for one unit of the currency, the NBP average rate of the working day before issue."""

    currency: str  # the tax currency, "PLN"
    rate: Decimal  # e.g. Decimal("4.2345")
    day: dt.date  # the day the rate was published for
    table: str = ""  # NBP's table number, "225/A/NBP/2026", when known


def in_tax_currency(tax: Decimal, rate: Decimal) -> Decimal:
    """A VAT amount in the tax currency: × the rate, half up to the grosz (FA(3)'s P_14_xW, and
    what the document's PDF prints under its summary)."""
    return (tax * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EInvoiceInput:
    """Everything an exporter may write, as the document says it (amounts of a credit note are
    negative, as the credit note's own)."""

    type: str  # INVOICE or CREDIT_NOTE
    number: str
    issue_date: dt.date  # in the home company's time zone
    currency: str  # ISO 4217
    net: Decimal
    tax: Decimal
    total: Decimal
    taxes: tuple[Tax, ...]
    reverse_charge: bool  # EU B2B across borders: the buyer accounts for the VAT ("odwrotne obciążenie")
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    language: str = "en"
    due_date: dt.date | None = None
    paid_date: dt.date | None = None  # an invoice issued for a proforma paid in full: the day it was paid
    payment_means: str = ""  # "bank transfer", "Card (Stripe)", … as recorded (Payment.method), "" when unpaid
    payment_method_code: str = ""  # Payment.method_code: "bank_transfer", "gateway:stripe", "" for typed text
    seller_bank_account: str = ""  # IBAN (or account number) for transfers, "" when none
    note: str = ""  # the company's invoice footer
    corrected: Corrected | None = None  # credit notes: the invoice they correct
    reason: str = ""  # credit notes: why
    exchange_rate: ExchangeRate | None = None  # when the document's currency is not the tax currency
    buyer_reference: str = ""  # the client's number: what EN 16931 asks as the buyer's reference
    extra: dict[str, str] = field(default_factory=dict)


class Exporter(ABC):
    key: ClassVar[str] = ""  # "ksef_fa3", "ubl", "cii", "facturx"
    title: ClassVar[str] = ""  # shown to staff: gettext_lazy in a subclass
    media_type: ClassVar[str] = "application/xml"
    extension: ClassVar[str] = "xml"

    @abstractmethod
    def export(self, data: EInvoiceInput, *, pdf: bytes | None = None) -> bytes:
        """The structured file of this document (raise CannotExport when it cannot be written).
        `pdf`: the document's stored PDF, for formats that embed the XML in it (Factur-X)."""

    def validate(self, content: bytes) -> list[str]:
        """Problems of a file against the format's official schema ([] when valid)."""
        return []


_REGISTRY: Registry[Exporter] = Registry(key_attribute="key", unknown=lambda key: CannotExport(
    said("no_format", key=repr(key))))
register = _REGISTRY.register
get_exporter = _REGISTRY.get
exporter_choices = _REGISTRY.choices


# The modules whose exporters register themselves (@register) when they are imported.
from . import en16931_facturx, en16931_xml, ksef_fa3  # noqa: E402,F401 — registers the shipped exporters
