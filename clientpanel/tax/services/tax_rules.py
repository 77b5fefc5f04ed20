"""Writes of tax rules (SPEC §6): one rule saved or deleted, a preset (the EU's standard rates,
Canada's provinces) applied all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, diff, snapshot
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.core.money import AmountError, decimal_places, parse_decimal
from clientpanel.core.places import FieldInvalid, clean_region
from clientpanel.core.text import at_most_characters, text_problem, visible_problem, whole_number

from .. import policies
from ..models import HomeCompany, TaxRule
from ..presets import CANADA_PROVINCES, EU_STANDARD_RATES
from .companies import country_field

PRIORITY_LIMIT = 1000
RULE_FIELDS = {"country", "region", "applies_private", "applies_company", "applies_company_tax_id", "tax1_name",
               "tax1_rate", "tax2_name", "tax2_rate", "tax3_name", "tax3_rate", "priority"}


def _rate(value: object, errors: FieldErrors, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        rate = parse_decimal(value, float_refused=_("Send rates as strings, e.g. \"23.000\"."),
                             missing=_("Enter a percentage, e.g. 23 or 9.975."),
                             not_a_number=_("Enter a percentage, e.g. 23 or 9.975."))
    except AmountError as error:
        errors.add(field, str(error))
        return None
    if not Decimal(0) <= rate < Decimal(100):
        errors.add(field, _("A rate is at least 0 and below 100 (%)."))
        return None
    if decimal_places(rate) > 3:  # "25.5000" is 25.5: trailing zeros are no decimals, as in amounts
        errors.add(field, _("At most %(places)d decimal places.") % {"places": 3})
        return None
    return rate.quantize(Decimal("0.001"))


def _overlapping(rule: TaxRule) -> TaxRule | None:
    """Another rule at the same place, for a kind of client this one covers, with the same priority
    — which of the two would apply would be left to chance."""
    others = TaxRule.objects.filter(country=rule.country, region=rule.region, priority=rule.priority).exclude(
        pk=rule.pk)
    return next((other for other in others if other.kinds() & rule.kinds()), None)


def tax_rule_save(*, actor: ActorLike, company_id, data: Mapping[str, Any], rule_id=None) -> TaxRule:
    """Create or change a tax rule; refuses unknown places, bad rates and overlaps."""
    require(policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    with transaction.atomic():
        company = lock_one(HomeCompany.objects, _("Home company not found."), pk=company_id)
        if rule_id is None:
            rule, before = TaxRule(home_company=company), None
        else:
            rule = TaxRule.objects.filter(pk=rule_id, home_company=company).first()
            if rule is None:
                raise NotFound(_("Tax rule not found."))
            before = snapshot(rule)
        errors = FieldErrors()
        errors.add_unknown(data, RULE_FIELDS)
        if "country" in data:
            rule.country = country_field(data["country"], errors, "country", blank_ok=True)
        if "region" in data:
            region = str(data["region"] or "").strip()
            if region and not rule.country:
                errors.add("region", _("A region needs a country."))
            elif region:
                try:
                    region = clean_region(region, rule.country)
                except FieldInvalid as error:
                    errors.add("region", str(error))
            rule.region = region
        for flag in ("applies_private", "applies_company", "applies_company_tax_id"):
            if flag in data:
                setattr(rule, flag, bool(data[flag]) and data[flag] not in ("false", "0", "off"))
        if not rule.kinds():
            errors.add("applies_private", _("Choose at least one kind of client."))
        for n in (1, 2, 3):
            if f"tax{n}_name" in data:
                name = str(data[f"tax{n}_name"] or "").strip()
                if len(name) > 40:
                    errors.add(f"tax{n}_name", at_most_characters(40))
                # Printed beside its amount on every document: zero-width characters alone read as no name.
                problem = text_problem(name, single_line=True) or visible_problem(name)
                if problem:
                    errors.add(f"tax{n}_name", problem)
                setattr(rule, f"tax{n}_name", name)
            if f"tax{n}_rate" in data:
                setattr(rule, f"tax{n}_rate", _rate(data[f"tax{n}_rate"], errors, f"tax{n}_rate"))
            # A rate refused above (4 decimals, not a number) is one problem, said once: not also
            # "needs both a name and a rate".
            if (f"tax{n}_rate" not in errors.fields
                    and bool(getattr(rule, f"tax{n}_name")) != (getattr(rule, f"tax{n}_rate") is not None)):
                errors.add(f"tax{n}_rate", _("Tax %(number)d needs both a name and a rate.") % {"number": n})
        if "priority" in data:
            try:
                rule.priority = whole_number(data["priority"])
                if abs(rule.priority) > PRIORITY_LIMIT:
                    raise ValueError
            except ValueError:
                errors.add("priority", _("Use a whole number from -1000 to 1000."))
        errors.raise_if_any()
        clash = _overlapping(rule)
        if clash is not None:
            raise Conflict(_("This rule overlaps “%(rule)s” (same place, kind of client and priority); change the "
                             "priority of one of them.") % {"rule": clash},
                           fields={"priority": [_("Overlaps another rule.")]}, code="tax_rule_overlap")
        rule.save()
        audit_record(action="tax_rule.create" if before is None else "tax_rule.update", target=rule,
                     changes=created(rule) if before is None else diff(before, snapshot(rule)))
    return rule


def tax_rule_delete(*, actor: ActorLike, rule_id) -> None:
    require(policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    with transaction.atomic():
        rule = TaxRule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("Tax rule not found."))
        audit_record(action="tax_rule.delete", target=rule, changes={"rule": [str(rule), None]})
        rule.delete()


def tax_presets_apply(*, actor: ActorLike, company_id, preset: str) -> int:
    """Create the EU standard VAT rates or the Canadian provincial taxes for a company in one go,
    for every kind of client. Places where this company has a rule already are left as they are.
    Where another home company has a rule for the same place, the new rule goes just below the
    lowest of them (priority -1 under a rule at 0), so clients who are not pinned keep the company
    that bills them today, and clients pinned to this company are taxed by its own rules. Answers
    how many rules were created."""
    require(policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    if preset not in ("EU", "CA"):
        raise ValidationFailed(_("Unknown preset."), fields={"preset": [_("Use EU or CA.")]})
    made = 0
    with transaction.atomic():
        company = lock_one(HomeCompany.objects, _("Home company not found."), pk=company_id)
        if preset == "EU":
            rows = [({"country": c, "tax1_name": "VAT", "tax1_rate": r}) for c, r in EU_STANDARD_RATES.items()]
        else:
            rows = [({"country": "CA", "region": region, **{f"tax{i + 1}_{k}": v for i, (name, rate) in
                      enumerate(taxes) for k, v in (("name", name), ("rate", rate))}})
                    for region, taxes in CANADA_PROVINCES.items()]
        for row in rows:
            place = TaxRule.objects.filter(country=row["country"], region=row.get("region", ""))
            if place.filter(home_company=company).exists():
                continue
            others = place.aggregate(lowest=Min("priority"))["lowest"]
            priority = 0 if others is None else min(0, others - 1)
            if priority < -PRIORITY_LIMIT:  # another company's rule there has the lowest priority possible
                continue
            tax_rule_save(actor=actor, company_id=company.pk, data={**row, "priority": priority})
            made += 1
    return made
