"""Field rules for clients and addresses, each backed by the library that knows the domain:
pycountry (countries, subdivisions), python-stdnum (tax IDs), phonenumbers (E.164), Babel
(currencies, languages). Each `clean_*` answers the normalised value or raises FieldInvalid with
a message for a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers
from babel import Locale
from babel.numbers import get_currency_name
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
    reader_country_name,
    region_name,
    subdivisions_of,
)

from .phone_parsing import is_valid_number, parse_international

# --- tax IDs ---------------------------------------------------------------------------------

# Why python-stdnum refused a number, as whole sentences for an EU VAT number and for another tax
# ID (a reason glued into a sentence could not be worded in each language's own order). Lazy:
# read in the active language when the refusal is raised.
_NOT_VALID = {
    InvalidChecksum: (gettext_lazy("Not a valid %(country)s VAT number: its check digit is wrong."),
                      gettext_lazy("Not a valid %(country)s tax ID: its check digit is wrong.")),
    InvalidLength: (gettext_lazy("Not a valid %(country)s VAT number: it has the wrong number of characters."),
                    gettext_lazy("Not a valid %(country)s tax ID: it has the wrong number of characters.")),
    InvalidFormat: (gettext_lazy("Not a valid %(country)s VAT number: it has the wrong format."),
                    gettext_lazy("Not a valid %(country)s tax ID: it has the wrong format.")),
    InvalidComponent: (gettext_lazy("Not a valid %(country)s VAT number: a part of it is not valid."),
                       gettext_lazy("Not a valid %(country)s tax ID: a part of it is not valid.")),
}
_NOT_VALID_OTHERWISE = (gettext_lazy("Not a valid %(country)s VAT number: it is not valid."),
                        gettext_lazy("Not a valid %(country)s tax ID: it is not valid."))


def _not_valid(error: ValidationError, country: str, *, vat: bool) -> FieldInvalid:
    sentences = next((pair for kind, pair in _NOT_VALID.items() if isinstance(error, kind)), _NOT_VALID_OTHERWISE)
    return FieldInvalid(str(sentences[0 if vat else 1]) % {"country": reader_country_name(country)})


_TAX_ID_LABEL = gettext_lazy("Tax ID")


def clean_tax_id(value: object, country: str) -> str:
    """Validate a tax ID for the billing country and store it in compact form.

    EU countries take a VAT number, with or without its country prefix (stored with it: PL5260250995);
    other countries use python-stdnum's VAT-like number for the country where one exists (Canadian
    BN/BN15, Australian ABN, Swiss UID…); elsewhere the text is kept as entered.
    """
    tax_id = clean_text(value, max_length=64, label=_TAX_ID_LABEL, single_line=True)
    if not tax_id:
        return ""
    cc = country.lower()
    if cc in eu_vat.MEMBER_STATES:
        prefix = "EL" if cc == "gr" else cc.upper()
        # stdnum's clean() leaves letters and digits as they are: such text (nearly every number
        # given) skips it, a pass over each character in Python.
        compact = (tax_id if _plain(tax_id) else stdnum_clean(tax_id, " -./,:")).upper()
        if compact[:2].isalpha():
            if compact[:2] != prefix and not (cc == "gr" and compact[:2] == "GR"):
                raise FieldInvalid(
                    _("This VAT number belongs to another country (%(found)s); the billing country is "
                      "%(country)s (prefix %(prefix)s).")
                    % {"found": compact[:2], "country": reader_country_name(country), "prefix": prefix}
                )
        else:
            compact = prefix + compact
        try:
            return _eu_vat_validate(compact)
        except ValidationError as error:
            raise _not_valid(error, country, vat=True) from None
    module = get_cc_module(cc, "vat")
    if module is None:
        return tax_id
    try:
        return module.validate(tax_id)
    except ValidationError as error:
        raise _not_valid(error, country, vat=False) from None


def vat_prefix_country(value: object) -> str:
    """The EU member state an EU VAT number names by its prefix ("PL5260250995": "PL", Greece's
    "EL…": "GR"), or "" when it names none: how a number is checked before its country is known."""
    prefix = value.strip()[:2].upper() if isinstance(value, str) else ""
    country = "GR" if prefix == "EL" else prefix
    return country if country.lower() in eu_vat.MEMBER_STATES else ""


def _plain(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _eu_vat_validate(number: str) -> str:
    """stdnum.eu.vat.validate(number). A number of ASCII letters and digits, upper-cased, goes to
    its country's module at once: validate() would only clean it (a pass over each character, in
    Python) and upper-case it again, which leaves it as it is. Compared with validate() itself in
    test_validation.py."""
    if not (_plain(number) and number.isupper()):
        return eu_vat.validate(number)
    module = eu_vat._get_cc_module(number[:2])
    if module is None:
        raise InvalidComponent()
    validated = module.validate(number)
    return validated if validated.startswith(number[:2]) else number[:2] + validated


# --- phones ----------------------------------------------------------------------------------

_PHONE_NUMBER_LABEL = gettext_lazy("Phone number")


def clean_phone(value: object, country: str | None = None) -> str:
    """Parse a phone number (international, or national for the given country) into E.164."""
    text = clean_text(value, max_length=32, label=_PHONE_NUMBER_LABEL)
    if not text:
        return ""
    try:
        number = parse_international(text) or phonenumbers.parse(text, country or None)
    except phonenumbers.NumberParseException:
        raise FieldInvalid(_("Enter a phone number with its country code, e.g. +48 22 123 45 67.")) from None
    if not is_valid_number(number):
        raise FieldInvalid(_("This phone number does not exist; check the country code and digits."))
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


_CURRENCY_LABEL = gettext_lazy("Currency")
_CURRENCY_NOT_ENABLED = gettext_lazy("Currency %(code)s is not enabled; choose one of %(choices)s.")
_LANGUAGE_LABEL = gettext_lazy("Language")
_LANGUAGE_NOT_ENABLED = gettext_lazy("Language %(code)s is not enabled; choose one of %(choices)s.")


def _clean_enabled_code(code: str, enabled: Sequence[str], refusal: Promise) -> str:
    """The code when the settings enable it (read from the settings each time: tests and
    deployments change them); else the refusal, naming the enabled ones."""
    if code not in enabled:
        raise FieldInvalid(str(refusal) % {"code": code, "choices": ", ".join(enabled)})
    return code


def clean_currency(value: object) -> str:
    code = clean_text(value, max_length=3, required=True, label=_CURRENCY_LABEL).upper()
    return _clean_enabled_code(code, settings.CLIENTPANEL_CURRENCIES, _CURRENCY_NOT_ENABLED)


def clean_language(value: object) -> str:
    code = clean_text(value, max_length=8, required=True, label=_LANGUAGE_LABEL).lower()
    return _clean_enabled_code(code, settings.CLIENTPANEL_LANGUAGES, _LANGUAGE_NOT_ENABLED)


# The e-invoice formats a client may ask for (issue 16): EN 16931's. Their titles and the files
# themselves are the einvoices app's; its tests check that each is one of its exporters.
CLIENT_EINVOICE_FORMATS = ("ubl", "cii", "facturx")
PEPPOL_ID = re.compile(r"^\d{4}:[A-Za-z0-9][A-Za-z0-9.:_-]{0,49}$")


_E_INVOICE_FORMAT_LABEL = gettext_lazy("E-invoice format")


def clean_einvoice_format(value: object) -> str:
    code = clean_text(value, max_length=20, label=_E_INVOICE_FORMAT_LABEL).lower()
    if code and code not in CLIENT_EINVOICE_FORMATS:
        raise FieldInvalid(_("Choose one of %(choices)s, or none for the home company's.")
                           % {"choices": ", ".join(CLIENT_EINVOICE_FORMATS)})
    return code


_PEPPOL_ID_LABEL = gettext_lazy("Peppol ID")


def clean_peppol_id(value: object) -> str:
    """A Peppol participant ID: a four-digit scheme (ISO 6523 ICD, e.g. 0088 GLN, 9945 Polish VAT),
    a colon and the identifier."""
    text = clean_text(value, max_length=60, label=_PEPPOL_ID_LABEL, single_line=True).replace(" ", "")
    if text and not PEPPOL_ID.match(text):
        raise FieldInvalid(_("A Peppol ID is a four-digit scheme, a colon and the identifier, e.g. 0088:5790000436057 "
                             "or 9945:PL5260250995."))
    return text
