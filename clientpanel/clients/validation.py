"""Field rules for clients and addresses, each backed by the library that knows the domain:
pycountry (countries, subdivisions), python-stdnum (tax IDs), phonenumbers (E.164), Babel
(currencies, languages). Each `clean_*` answers the normalised value or raises FieldInvalid with
a message for a person.
"""

from __future__ import annotations

import phonenumbers
from babel import Locale
from babel.numbers import get_currency_name
from django.conf import settings
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean as stdnum_clean

from clientpanel.core.places import (  # noqa: F401 — the client rules re-export these by name
    FieldInvalid,
    clean_country,
    clean_region,
    clean_text,
    country_choices,
    country_name,
    region_name,
    subdivisions_of,
)

# --- tax IDs ---------------------------------------------------------------------------------

_STDNUM_ERRORS = {
    InvalidChecksum: "its check digit is wrong",
    InvalidLength: "it has the wrong number of characters",
    InvalidFormat: "it has the wrong format",
    InvalidComponent: "a part of it is not valid",
}


def _why(error: ValidationError) -> str:
    for kind, text in _STDNUM_ERRORS.items():
        if isinstance(error, kind):
            return text
    return "it is not valid"


def clean_tax_id(value: object, country: str) -> str:
    """Validate a tax ID for the billing country and store it in compact form.

    EU countries take a VAT number, with or without its country prefix (stored with it: PL5260250995);
    other countries use python-stdnum's VAT-like number for the country where one exists (Canadian
    BN/BN15, Australian ABN, Swiss UID…); elsewhere the text is kept as entered.
    """
    tax_id = clean_text(value, max_length=64, label="Tax ID")
    if not tax_id:
        return ""
    cc = country.lower()
    if cc in eu_vat.MEMBER_STATES:
        prefix = "EL" if cc == "gr" else cc.upper()
        compact = stdnum_clean(tax_id, " -./,:").upper()
        if compact[:2].isalpha():
            if compact[:2] != prefix and not (cc == "gr" and compact[:2] == "GR"):
                raise FieldInvalid(
                    f"This VAT number belongs to another country ({compact[:2]}); the billing country is "
                    f"{country_name(country)} (prefix {prefix})."
                )
        else:
            compact = prefix + compact
        try:
            return eu_vat.validate(compact)
        except ValidationError as error:
            raise FieldInvalid(f"Not a valid {country_name(country)} VAT number: {_why(error)}.") from None
    module = get_cc_module(cc, "vat")
    if module is None:
        return tax_id
    try:
        return module.validate(tax_id)
    except ValidationError as error:
        raise FieldInvalid(f"Not a valid {country_name(country)} tax ID: {_why(error)}.") from None


# --- phones ----------------------------------------------------------------------------------

def clean_phone(value: object, country: str | None = None) -> str:
    """Parse a phone number (international, or national for the given country) into E.164."""
    text = clean_text(value, max_length=32, label="Phone number")
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, country or None)
    except phonenumbers.NumberParseException:
        raise FieldInvalid("Enter a phone number with its country code, e.g. +48 22 123 45 67.") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldInvalid("This phone number does not exist; check the country code and digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


# --- currencies and languages ----------------------------------------------------------------

def enabled_currencies() -> list[str]:
    return list(settings.CLIENTPANEL_CURRENCIES)


def enabled_languages() -> list[str]:
    return list(settings.CLIENTPANEL_LANGUAGES)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {get_currency_name(code, locale='en')}") for code in enabled_currencies()]


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in enabled_languages()]


def language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name("en").capitalize()
    except (ValueError, TypeError):
        return code


def clean_currency(value: object) -> str:
    code = clean_text(value, max_length=3, required=True, label="Currency").upper()
    if code not in enabled_currencies():
        raise FieldInvalid(f"Currency {code} is not enabled; choose one of {', '.join(enabled_currencies())}.")
    return code


def clean_language(value: object) -> str:
    code = clean_text(value, max_length=8, required=True, label="Language").lower()
    if code not in enabled_languages():
        raise FieldInvalid(f"Language {code!r} is not enabled; choose one of {', '.join(enabled_languages())}.")
    return code
