"""What a home company needs to print on the documents whose taxes it charges (issue 14): a tax
charged under a registration the company has not entered reaches the client as a document without
the number the law requires of it (Art. 226(3) of Directive 2006/112/EC: the supplier's VAT
identification number; Canada: the GST/HST registration number on any invoice of $30 or more, the
QST number in Quebec; a US state's sales-tax permit). registration_gaps is pure (the caller passes
the taxes); company_registration_gaps reads the company's rules. Staff are warned on the home
company page and in the tax rule form; issuing is never blocked."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import HomeCompany
from .selectors import EU_COUNTRIES

# Tax names by the registration they need (upper case; French names too: TPS/TVH/TVQ).
FEDERAL_CANADIAN = {"GST", "HST", "TPS", "TVH", "GST/HST", "TPS/TVH"}
PROVINCIAL_CANADIAN = {"PST", "QST", "RST", "TVQ", "PST/QST"}


def registration_gaps(company: HomeCompany, taxes: Iterable[tuple[str, object]]) -> list[str]:
    """Warnings, in the active language, for each tax the company charges (a name and a rate above
    zero) with no registration number on the company to print beside it; [] when all is in order."""
    charged = {(name or "").strip().upper() for name, rate in taxes if name and _above_zero(rate)}
    if not charged:
        return []
    names = ", ".join(sorted(charged))
    gaps = []
    if company.country == "CA":
        federal, provincial = charged & FEDERAL_CANADIAN, charged & PROVINCIAL_CANADIAN
        if federal and not company.ca_gst_hst:
            gaps.append(_("%(company)s charges %(taxes)s but has no GST/HST number: enter it, or its documents "
                          "go out without the number Canadian law requires.") % {
                "company": company.name, "taxes": ", ".join(sorted(federal))})
        if provincial and not company.ca_pst_qst:
            gaps.append(_("%(company)s charges %(taxes)s but has no PST/QST number: enter it, or its documents "
                          "go out without it.") % {"company": company.name, "taxes": ", ".join(sorted(provincial))})
        others = charged - federal - provincial
        if others and not (company.ca_bn or company.local_tax_id):
            gaps.append(_("%(company)s charges %(taxes)s but has no tax number to print on its documents.") % {
                "company": company.name, "taxes": ", ".join(sorted(others))})
    elif company.country in EU_COUNTRIES:
        # The VAT identification number of Art. 214; a domestic one (the Polish NIP) is one too.
        if not (company.eu_vat_id or company.local_tax_id):
            gaps.append(_("%(company)s charges %(taxes)s but has no VAT ID: enter its EU VAT ID (or local tax ID), "
                          "which every invoice must show (Art. 226 of Directive 2006/112/EC).") % {
                "company": company.name, "taxes": names})
    elif company.country == "US":
        if not company.us_state_id:
            gaps.append(_("%(company)s charges %(taxes)s but has no state tax ID (sales-tax permit) to print on "
                          "its documents.") % {"company": company.name, "taxes": names})
    elif not (company.local_tax_id or company.eu_vat_id or company.registration_number):
        gaps.append(_("%(company)s charges %(taxes)s but has no tax ID to print on its documents.") % {
            "company": company.name, "taxes": names})
    return gaps


def _above_zero(rate: object) -> bool:
    try:
        return rate is not None and Decimal(str(rate)) > 0
    except InvalidOperation:
        return False


def company_registration_gaps(company: HomeCompany, typed: Iterable[tuple[str, object]] = (), *,
                              instead_of: int | None = None) -> list[str]:
    """registration_gaps over the taxes of the company's rules and those typed in a rule's form (in
    place of the rule `instead_of`, the one being edited)."""
    rules = company.tax_rules.exclude(pk=instead_of) if instead_of else company.tax_rules.all()
    return registration_gaps(company, [*(tax for rule in rules for tax in rule.taxes()), *typed])
