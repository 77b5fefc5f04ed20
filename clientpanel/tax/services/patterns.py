"""Numbering patterns of a home company checked as numbers: each one alone (validate_pattern, then
validate_number_shape for a pattern being set) and the three together, which must never make the
same number — a credit note numbered as an invoice of the same company (the database's unique
number is per company and type, so it would not stop it)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from clientpanel.core.errors import FieldErrors
from clientpanel.core.numbering import pattern_shape, validate_number_shape, validate_pattern
from clientpanel.core.text import at_most_characters

from ..models import HomeCompany

PATTERN_FIELDS = ("proforma_pattern", "invoice_pattern", "credit_note_pattern")


def _labels() -> dict[str, str]:
    # The form's labels, in the active language.
    return {"proforma_pattern": _("Proforma pattern"), "invoice_pattern": _("Invoice pattern"),
            "credit_note_pattern": _("Credit note pattern")}


def number_max_length() -> int:
    """How long a document number may be: Document.number's max_length. Read from the model by name,
    as tax sits below invoicing and imports none of it."""
    return apps.get_model("invoicing", "Document")._meta.get_field("number").max_length


def patterns_set(company: HomeCompany, data: Mapping[str, Any], errors: FieldErrors, *, new_company: bool) -> None:
    """Set the patterns present in data on the company, with what is wrong with them added to errors.

    A pattern is held to the number rules (validate_number_shape) and compared with the company's
    other two only when it is set anew — created, or changed from the stored one — so a company whose
    stored patterns predate a rule still saves its other fields; a pattern changed to collide with
    another is refused on its own field, naming the other."""
    changed = set()
    limit = HomeCompany._meta.get_field("invoice_pattern").max_length
    for name in PATTERN_FIELDS:
        if name not in data:
            continue
        pattern = str(data[name] or "").strip()
        if new_company or pattern != getattr(company, name):
            changed.add(name)
        try:
            validate_pattern(pattern)
            if name in changed:
                validate_number_shape(pattern, max_length=number_max_length())
        except ValueError as error:
            errors.add(name, str(error))
        if len(pattern) > limit:
            errors.add(name, at_most_characters(limit))
        setattr(company, name, pattern)
    labels = _labels()
    for first, second in combinations(PATTERN_FIELDS, 2):
        if not changed & {first, second} or errors.fields.keys() & {first, second}:
            continue
        if pattern_shape(getattr(company, first)) != pattern_shape(getattr(company, second)):
            continue
        for name, other in ((first, second), (second, first)):
            if name in changed:
                errors.add(name, _("This pattern could make the same numbers as “%(other)s” (%(field)s): apart from "
                                   "digits and placeholders the two are the same text, whatever the case of "
                                   "letters. Give one of them other text, such as another prefix.")
                           % {"other": labels[other], "field": other})
