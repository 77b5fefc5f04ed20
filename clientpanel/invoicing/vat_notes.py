"""Why a document charges no VAT, recorded when it is issued, and the note its PDF and pages print:
the legal basis of an exemption (Art. 226(11) of Directive 2006/112/EC; art. 106e ust. 1 pkt 19 of
the Polish VAT act) or the reverse charge (Art. 226(11a); pkt 18). An issued document keeps what it
recorded — a credit note its invoice's — whatever the company's settings say later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpanel.tax.selectors import EU_COUNTRIES, REVERSE_CHARGE_NOTE


class NoVatReason(models.TextChoices):
    TAXED = "", gettext_lazy("Taxed")
    EXEMPT_CLIENT = "EXEMPT_CLIENT", gettext_lazy("The client is tax-exempt")
    UNTAXED = "UNTAXED", gettext_lazy("No tax rule taxes the sale")
    ZERO_RATED = "ZERO_RATED", gettext_lazy("Zero-rated")
    REVERSE_CHARGE = "REVERSE_CHARGE", gettext_lazy("Reverse charge")


# The reasons that make a sale exempt, whose document records and prints the exemption's basis.
EXEMPT = {NoVatReason.EXEMPT_CLIENT, NoVatReason.UNTAXED}


def no_vat_reason(*, exempt_client: bool, reverse_charge: bool, tax_lines: Iterable[Mapping]) -> str:
    """Why a document about to be issued charges no VAT ("" when it charges some): the reverse
    charge, a tax-exempt client, no tax rule taxing the sale, or rates of 0%."""
    lines = list(tax_lines)
    if reverse_charge:
        return NoVatReason.REVERSE_CHARGE
    if exempt_client:
        return NoVatReason.EXEMPT_CLIENT
    if not lines:
        return NoVatReason.UNTAXED
    if all(Decimal(str(line["rate"])) == 0 for line in lines):
        return NoVatReason.ZERO_RATED
    return NoVatReason.TAXED


def recorded_basis(reason: str, company_basis: str) -> str:
    """The exemption basis a document records at issue: the company's then, for an exempt sale."""
    return company_basis.strip() if reason in EXEMPT else ""


def exemption_noted(document) -> bool:
    """Whether the document says it is exempt from VAT: an exempt sale of a seller in the EU to a
    buyer in the EU (or of unknown country). A sale to a buyer outside the EU without VAT is outside
    the scope of EU VAT (its place of supply is abroad), not exempt — as its e-invoice says
    (FA(3) "np I", EN 16931 category O); sellers outside the EU charge no VAT to be exempt from."""
    buyer = ((document.billing_address or {}).get("country") or "").upper()
    return (document.no_vat_reason in EXEMPT and (document.company_snapshot or {}).get("country") in EU_COUNTRIES
            and (not buyer or buyer in EU_COUNTRIES))


def vat_note(document) -> str:
    """The note on the document, in the active language: the reverse charge, or the exemption and
    its basis as recorded at issue ("VAT exempt" alone when the company had entered none); ""."""
    if document.reverse_charge:
        return _(REVERSE_CHARGE_NOTE)
    if not exemption_noted(document):
        return ""
    if document.vat_exemption_basis:
        return _("VAT exempt: %(basis)s") % {"basis": document.vat_exemption_basis}
    return _("VAT exempt")
