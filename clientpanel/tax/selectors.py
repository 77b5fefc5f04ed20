"""Which home company bills a client and which taxes apply (SPEC §6). Pure reads, no client model:
callers pass the client's billing country, region, kind and VAT status."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from clientpanel.core.money import display_percent

from .models import ClientKind, HomeCompany, TaxRule

# EU member states by ISO code; VAT numbers use EL for Greece.
EU_COUNTRIES = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
                "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
# Marked only: a document translates it into its own language when it is rendered (invoicing/pdf/).
REVERSE_CHARGE_NOTE = gettext_noop("Reverse charge — Art. 196 of Directive 2006/112/EC")


def client_kind(*, company_name: str, tax_id: str) -> str:
    """A tax ID makes a company with tax ID; a company name alone a company; else a private client."""
    if tax_id:
        return ClientKind.COMPANY_TAX_ID
    return ClientKind.COMPANY if company_name else ClientKind.PRIVATE


def vat_member_state(vat_number: str) -> str | None:
    prefix = (vat_number or "")[:2].upper()
    prefix = "GR" if prefix == "EL" else prefix
    return prefix if prefix in EU_COUNTRIES else None


@dataclass
class TaxDecision:
    home_company: HomeCompany
    rule: TaxRule | None
    taxes: list[tuple[str, Decimal]] = field(default_factory=list)
    reverse_charge: bool = False

    @property
    def label(self) -> str:
        """The taxes for people, in the active language ("VAT: 23%", "QST: 9,975%" in Polish; tax names
        are the rule's own)."""
        if self.reverse_charge:
            return _("Reverse charge (0%)")
        language = get_language() or "en"
        return " + ".join(f"{name}: {display_percent(rate, language)}" for name, rate in self.taxes) or _("No tax")


def default_home_company() -> HomeCompany:
    company = HomeCompany.objects.filter(is_default=True).first() or HomeCompany.objects.order_by("id").first()
    if company is None:  # a fresh install always has one (data migration); recreate if someone removed it
        company = HomeCompany.objects.create(name="My Company", is_default=True)
    return company


def matching_rules(*, country: str, region: str, kind: str, company_id=None) -> QuerySet[TaxRule]:
    kind_flag = {ClientKind.PRIVATE: "applies_private", ClientKind.COMPANY: "applies_company",
                 ClientKind.COMPANY_TAX_ID: "applies_company_tax_id"}[kind]
    rules = TaxRule.objects.select_related("home_company").filter(
        Q(country=country) | Q(country=""), Q(region=region) | Q(region=""), **{kind_flag: True})
    if company_id is not None:
        rules = rules.filter(home_company_id=company_id)
    return rules


def _specificity(rule: TaxRule) -> int:
    return 2 if rule.region else 1 if rule.country else 0


def tax_decision(*, country: str, region: str, company_name: str, tax_id: str, vies_status: str,
                 pinned_company_id=None) -> TaxDecision:
    """The most specific matching rule wins (country and region, then country, then any), then the
    higher priority; rule validation keeps ties from existing. The winner also picks the billing
    home company unless one is pinned. A VIES-valid VAT number of another EU member state than an
    EU home company's gets 0% with the reverse-charge note; any other VIES status never does."""
    kind = client_kind(company_name=company_name, tax_id=tax_id)
    rules = list(matching_rules(country=country, region=region, kind=kind, company_id=pinned_company_id))
    rule = max(rules, key=lambda r: (_specificity(r), r.priority, -r.pk), default=None)
    if rule is not None:
        company = rule.home_company
    elif pinned_company_id is not None:
        company = HomeCompany.objects.get(pk=pinned_company_id)
    else:
        company = default_home_company()
    member_state = vat_member_state(tax_id)
    if (kind == ClientKind.COMPANY_TAX_ID and vies_status == "VALID" and company.country in EU_COUNTRIES
            and member_state and member_state != company.country):
        return TaxDecision(home_company=company, rule=rule, taxes=[], reverse_charge=True)
    return TaxDecision(home_company=company, rule=rule, taxes=[(n, Decimal(r)) for n, r in rule.taxes()] if rule
                       else [])
