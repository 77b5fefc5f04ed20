"""Writes of home companies: their legal data, numbering series (a pattern and when it restarts),
time zone, language, payment terms and reminder days."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

import pycountry
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, diff, snapshot
from clientpanel.core.errors import FieldErrors, require
from clientpanel.core.locks import lock_one
from clientpanel.core.models import NumberSequence
from clientpanel.core.numbering import document_series_key
from clientpanel.core.text import at_most_characters, text_problem, visible_problem, whole_number

from .. import policies
from ..models import HomeCompany, ResetPeriod
from .patterns import PATTERN_FIELDS, patterns_set

TEXT_FIELDS = {
    "name": 200, "address1": 255, "address2": 255, "city": 100, "postcode": 20, "region": 100, "local_tax_id": 64,
    "eu_vat_id": 64, "registration_number": 64, "us_ein": 20, "us_state_id": 64, "ca_bn": 20, "ca_gst_hst": 20,
    "ca_pst_qst": 20, "bank_details": 2000, "invoice_footer": 2000, "topup_item_name": 200, "refund_item_name": 200,
}
MULTILINE_FIELDS = {"bank_details", "invoice_footer"}
# Text a company always has (the item names have defaults), with the refusal of an empty one.
REQUIRED_TEXT = {
    "name": gettext_lazy("Enter the company's legal name."),
    "topup_item_name": gettext_lazy("Enter the name an Add Funds line is printed with, e.g. Add funds."),
    "refund_item_name": gettext_lazy("Enter the name a refund line is printed with, e.g. Refund."),
}
RESET_FIELDS = ("proforma_reset", "invoice_reset", "credit_note_reset")
REMINDER_FIELDS = ("reminder_days_before", "reminder_days_overdue")
COMPANY_FIELDS = set(TEXT_FIELDS) | set(PATTERN_FIELDS) | set(RESET_FIELDS) | set(REMINDER_FIELDS) | {
    "country", "payment_terms_days", "is_default", "time_zone", "language"}



# The document types of the series, in the order of PATTERN_FIELDS and RESET_FIELDS (invoicing's
# DocumentType values; tax, below invoicing, reads its counters by key, as numbering writes them).
DOCUMENT_TYPES = ("PROFORMA", "INVOICE", "CREDIT_NOTE")


def _numbered(company: HomeCompany, doc_type: str) -> bool:
    """Whether the company has numbered documents of this type."""
    return NumberSequence.objects.filter(key=document_series_key(company.pk, doc_type), last_value__gt=0).exists()


def _repeating_numbers(pattern: str, reset: str) -> str:
    """Why numbers of this pattern would repeat once its counter starts again (every month or
    year), or "": a number must never be issued twice."""
    if reset == ResetPeriod.MONTHLY and not ("{YEAR}" in pattern and "{MONTH}" in pattern):
        return _("A series that starts again every month needs {YEAR} and {MONTH} in its pattern, or its "
                 "numbers repeat; add them (or, before its first document, choose another restart).")
    if reset == ResetPeriod.YEARLY and "{YEAR}" not in pattern:
        return _("A series that starts again every year needs {YEAR} in its pattern, or its numbers repeat; "
                 "add it (or, before its first document, choose another restart).")
    return ""

def country_field(value: object, errors: FieldErrors, field: str, *, blank_ok: bool = False) -> str:
    code = str(value or "").strip().upper()
    if not code:
        if not blank_ok:
            errors.add(field, _("Choose a country."))
        return ""
    if pycountry.countries.get(alpha_2=code) is None:
        errors.add(field, _("Unknown country code %(code)s.") % {"code": repr(code)})
    return code


def _time_zone(value: object, errors: FieldErrors) -> str:
    """An IANA zone name ("Europe/Warsaw"), or blank for the server's own."""
    name = value.strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        errors.add("time_zone", _("Enter a time zone name, e.g. Europe/Warsaw."))
    elif name and name not in available_time_zones():
        errors.add("time_zone", _("Unknown time zone %(name)s; use a name such as Europe/Warsaw or America/Toronto.")
                   % {"name": repr(name[:64])})
    return name


def reminder_days(value: object, errors: FieldErrors, field: str, *, blank_ok: bool) -> int | None:
    """Days before or after a due date for a reminder: 0 (none) to 60; blank only where it means
    "inherit" (a group)."""
    if value in (None, ""):
        if not blank_ok:
            errors.add(field, _("Enter 0 to 60 days (0: no reminder)."))
        return None
    try:
        days = whole_number(value)
    except ValueError:
        days = -1
    if not 0 <= days <= 60:
        errors.add(field, _("Enter 0 to 60 days (0: no reminder)."))
        return None
    return days


def available_time_zones() -> frozenset[str]:
    return _ZONES


_ZONES = frozenset(zoneinfo.available_timezones())


def home_company_save(*, actor: ActorLike, data: Mapping[str, Any], company_id=None) -> HomeCompany:
    """Create a home company or change the fields present in data; making one the default takes
    the flag from the other in the same transaction."""
    require(policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    with transaction.atomic():
        if company_id is None:
            company, before = HomeCompany(), None
        else:
            company = lock_one(HomeCompany.objects, _("Home company not found."), pk=company_id)
            before = snapshot(company)
        errors = FieldErrors()
        errors.add_unknown(data, COMPANY_FIELDS)
        for name, limit in TEXT_FIELDS.items():
            if name in data:
                value = str(data[name] or "").strip()
                if len(value) > limit:
                    errors.add(name, at_most_characters(limit))
                # Zero-width characters alone print as a blank on every document.
                problem = (text_problem(value, single_line=name not in MULTILINE_FIELDS)
                           or visible_problem(value, required=name in REQUIRED_TEXT))
                if problem:
                    errors.add(name, problem)
                setattr(company, name, value)
        for name, refusal in REQUIRED_TEXT.items():
            # Never empty, on a change either (the legal name heads every document, the item names
            # are its lines' text); text that shows nothing is refused above.
            if (name in data or company_id is None) and name not in errors.fields and not getattr(company, name):
                errors.add(name, str(refusal))
        if "country" in data:
            company.country = country_field(data["country"], errors, "country")
        patterns_set(company, data, errors, new_company=company_id is None)
        for name, doc_type in zip(RESET_FIELDS, DOCUMENT_TYPES, strict=True):
            if name in data:
                if data[name] not in ResetPeriod.values:
                    errors.add(name, _("Use one of %(choices)s.") % {"choices": ", ".join(ResetPeriod.values)})
                elif company.pk and data[name] != getattr(company, name) and _numbered(company, doc_type):
                    errors.add(name, _("Documents are numbered in this series already: a new restart would start "
                                       "a counter that gives their numbers again. Keep it, and change the "
                                       "pattern instead (a new prefix starts a new series)."))
                setattr(company, name, data[name])
        for pattern_field, reset_field in zip(PATTERN_FIELDS, RESET_FIELDS, strict=True):
            if (pattern_field in data or reset_field in data) and pattern_field not in errors.fields:
                problem = _repeating_numbers(getattr(company, pattern_field), getattr(company, reset_field))
                if problem:
                    errors.add(pattern_field, problem)
        if "time_zone" in data:
            company.time_zone = _time_zone(data["time_zone"], errors)
        if "language" in data:
            language = data["language"] if isinstance(data["language"], str) else None
            if language is None or (language and language not in settings.CLIENTPANEL_LANGUAGES):
                errors.add("language", _("Use one of %(choices)s, or leave it blank.")
                           % {"choices": ", ".join(settings.CLIENTPANEL_LANGUAGES)})
            else:
                company.language = language
        if "payment_terms_days" in data:
            raw = data["payment_terms_days"]
            if raw in (None, ""):
                company.payment_terms_days = None
            else:
                try:
                    company.payment_terms_days = whole_number(raw)
                    if not 0 <= company.payment_terms_days <= 365:
                        raise ValueError
                except ValueError:
                    errors.add("payment_terms_days", _("Use 0 to 365 days."))
        for field in REMINDER_FIELDS:
            if field in data:
                days = reminder_days(data[field], errors, field, blank_ok=False)
                if days is not None:
                    setattr(company, field, days)
        errors.raise_if_any()
        make_default = bool(data.get("is_default")) or not HomeCompany.objects.exclude(pk=company.pk).exists()
        if make_default:
            HomeCompany.objects.filter(is_default=True).exclude(pk=company.pk).update(is_default=False)
            company.is_default = True
        elif "is_default" in data and company.is_default:
            errors.add("is_default", _("Make another company the default instead; one must always be."))
            errors.raise_if_any()
        company.save()
        changes = created(company) if before is None else diff(before, snapshot(company))
        audit_record(action="home_company.create" if before is None else "home_company.update", target=company,
                     changes=changes)
    return company
