"""Field rules for clients and addresses, each backed by the library that knows the domain:
pycountry (countries, subdivisions), python-stdnum (tax IDs), phonenumbers (E.164), Babel
(currencies, languages). Each `clean_*` answers the normalised value or raises FieldInvalid with
a message for a person.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import phonenumbers
import pycountry
from babel import Locale
from babel.numbers import get_currency_name
from django.conf import settings
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean as stdnum_clean


class FieldInvalid(ValueError):
    pass


def clean_text(value: object, *, max_length: int, required: bool = False, label: str = "This field") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldInvalid(f"{label} must be text.")
    value = value.strip()
    if required and not value:
        raise FieldInvalid(f"{label} is required.")
    if len(value) > max_length:
        raise FieldInvalid(f"{label} has at most {max_length} characters (got {len(value)}).")
    if "\x00" in value:
        raise FieldInvalid(f"{label} contains a null character.")
    return value


# --- countries and regions ------------------------------------------------------------------

@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda item: item[1])


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


def clean_country(value: object) -> str:
    code = clean_text(value, max_length=2, required=True, label="Country").upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise FieldInvalid(f"Unknown country code {code!r}; use ISO 3166-1 alpha-2, e.g. PL or US.")
    return code


@lru_cache(maxsize=300)
def subdivisions_of(country: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((s.code, s.name) for s in pycountry.subdivisions.get(country_code=country) or []),
                        key=lambda item: item[1]))


def _fold(text: str) -> str:
    """Compare names without case or accents: 'malopolskie' matches 'Małopolskie'."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def clean_region(value: object, country: str) -> str:
    """An ISO 3166-2 code (matched by code or name) where the country has subdivisions, else free text."""
    region = clean_text(value, max_length=100, label="State/Region")
    if not region:
        return ""
    subdivisions = subdivisions_of(country)
    if not subdivisions:
        return region
    wanted = _fold(region)
    for code, name in subdivisions:
        if wanted in (_fold(code), _fold(code.split("-", 1)[1]), _fold(name)):
            return code
    raise FieldInvalid(f"{region!r} is not a state or region of {country_name(country)}.")


def region_name(country: str, region: str) -> str:
    for code, name in subdivisions_of(country) if region else ():
        if code == region:
            return name
    return region


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
