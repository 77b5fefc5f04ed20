"""Numbers typed into the panel's and the portal's forms, read in the reader's language (issue 14):
a Polish reader types "1000,50" or "1 000,50", an English one "1,000.50", and both "1000.50".

A form hands its services the number in the one form they and the API read ("1000.50"); what
cannot be read as a number of the language is refused by the field, with an example written as the
page writes numbers ("12,50" in Polish: the services' own refusals give theirs as the API reads
them, "12.50"), and shown again as typed. Exact throughout: Babel parses into a Decimal, never a
float. The API does not go through here: it speaks "1000.50" only.

Whole numbers (days, hours, a priority) are a sign and the digits 0–9 in every language
(WholeNumberField), as the API reads them."""

from __future__ import annotations

import re
from decimal import Decimal

from babel import UnknownLocaleError
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clientpanel.core.text import WHOLE_NUMBER

# Spaces people type between thousands, for a language that groups with a space (Polish: U+00A0).
_SPACES = (" ", "\u202f", "\u2009", "\u00a0")
_ASCII_DIGITS_AND_SIGNS = frozenset("0123456789+-")


def _locale(language: str | None) -> str:
    return (language or get_language() or "en").replace("-", "_")


def delocalize_number(value: object, language: str | None = None) -> object:
    """value as the services read numbers ("1000.50") when it is a number written the way the
    language writes them, or with a plain decimal point; anything else (not text, empty, not a
    number) as it came."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("\u2212", "-")  # the minus sign a keyboard layout may give
    if not text:
        return text
    locale = _locale(language)
    try:
        group = get_group_symbol(locale)
        if group in _SPACES:
            for space in _SPACES:
                text = text.replace(space, group)
        # Digits, a sign and the language's two marks only: Babel also reads "1e3" (a thousand)
        # and other scripts' digits, which the services refuse as typed (core.money.parse_decimal).
        if not set(text) <= _ASCII_DIGITS_AND_SIGNS | {group, get_decimal_symbol(locale), "."}:
            return value.strip()
        # strict: grouping only where the language groups, so "1000,50" in English is not 100050.
        number = parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, ValueError, LookupError):
        return value.strip()
    # "{:f}", not str(): str writes 0.0000001 as "1E-7", which the services read as no number.
    return f"{number:f}"


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)  # what the services read


def typed_number(value: object) -> object:
    """A number as the services write it ("1000.50", a Decimal or an int) as the reader types it:
    the decimal mark of the active language, no grouping ("1000,50" in Polish), what
    LocalizedNumberField reads back (it takes "1000.50" too). Anything else as it is."""
    if isinstance(value, Decimal) and value.is_finite():
        value = f"{value:f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PLAIN_NUMBER.fullmatch(value):
        return value
    try:
        mark = get_decimal_symbol(_locale(None))
    except (ValueError, LookupError, UnknownLocaleError):
        return value
    return value.replace(".", mark)


class DecimalInput(forms.TextInput):
    """A text box a phone opens with its keypad of digits and the decimal mark — on a page that reads
    both marks only (Polish: "12,50" and "12.50"): the keypad shows the mark of the phone's region,
    so on an English page a German phone could type no decimal point at all."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        try:
            both_marks = get_decimal_symbol(_locale(None)) != "."
        except (ValueError, LookupError, UnknownLocaleError):
            both_marks = False
        if both_marks:
            context["widget"]["attrs"].setdefault("inputmode", "decimal")
        return context


class LocalizedNumberField(forms.CharField):
    """A text field for an amount, a quantity or a rate: cleaned to the services' "1000.50" from
    the reader's way of writing it. Re-shown as typed when the form has errors (it is a text box).
    What is no number is refused here, with `example` written as the page writes numbers. Phones
    show a keypad of digits and the decimal mark where the page reads both marks (DecimalInput),
    unless the number may be negative (`signed`: that keypad has no minus sign on some phones)."""

    default_error_messages = {"invalid": _("Enter a number, e.g. %(example)s.")}

    def __init__(self, *args, example: str = "12.50", signed: bool = False, **kwargs) -> None:
        self.example = example
        if not signed:
            kwargs.setdefault("widget", DecimalInput)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return delocalize_number(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and not _PLAIN_NUMBER.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid",
                                        params={"example": typed_number(self.example)})


class WholeNumberField(forms.CharField):
    """A text field for a whole number (days, hours, a priority): what is not a sign and the digits
    0–9 is refused here, in the words the field's service refuses a non-number with (pass them as
    error_messages={"invalid": …}); the rest goes on as typed, stripped, "" when empty, and the
    service checks the bounds. Used by every staff form's whole-number field."""

    default_error_messages = {"invalid": _("Enter a whole number.")}

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and not WHOLE_NUMBER.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
