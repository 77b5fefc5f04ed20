"""Countries (ISO 3166-1) and their subdivisions (ISO 3166-2) from pycountry, and the small text
rule every form field shares. Used by client addresses and home companies alike."""

from __future__ import annotations

import gettext
import unicodedata
from functools import cache, lru_cache

import pycountry
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from .collation import sorted_by_name
from .text import has_visible_text, text_problem


class FieldInvalid(ValueError):
    """A value a person typed is not acceptable; the message says why."""


def clean_text(value: object, *, max_length: int, label: str | Promise, required: bool = False,
               single_line: bool = False) -> str:
    """The stripped text, or FieldInvalid naming the field by its label (given translated, or lazy:
    it is read in the active language when the message is built). single_line: a name, an address
    line, a city…: no line breaks or tabs either (core.text)."""
    if value is None:
        value = ""
    if value == "" and not required:  # most optional fields: nothing to look at
        return ""
    if not isinstance(value, str):
        raise FieldInvalid(_("%(label)s must be text.") % {"label": label})
    value = value.strip()
    if required and not has_visible_text(value):
        raise FieldInvalid(_("%(label)s is required.") % {"label": label})
    if len(value) > max_length:
        raise FieldInvalid(ngettext("%(label)s has at most %(limit)d character (got %(length)d).",
                                    "%(label)s has at most %(limit)d characters (got %(length)d).", max_length)
                           % {"label": label, "limit": max_length, "length": len(value)})
    problem = text_problem(value, single_line=single_line)
    if problem:
        raise FieldInvalid(_("%(label)s: %(problem)s") % {"label": label, "problem": problem[0].lower() + problem[1:]})
    return value


# --- countries and regions ------------------------------------------------------------------

@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """Every country by its English name, in English alphabetical order: "Åland Islands" after
    "Afghanistan", "Türkiye" before "Turkmenistan" (not after "Zimbabwe" as by code points)."""
    return sorted_by_name(((c.alpha_2, c.name) for c in pycountry.countries), "en", name=lambda item: item[1])


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


@cache
def _country_names(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def reader_country_name(code: str) -> str:
    """The country's name in the active language (pycountry's own translations), for messages;
    country_name stays English for what is stored or compared."""
    english = country_name(code)
    language = (get_language() or "en").split("-")[0]
    return english if language == "en" or english == code else _country_names(language).gettext(english)


_COUNTRY_LABEL = gettext_lazy("Country")


def clean_country(value: object) -> str:
    if isinstance(value, str) and value in _COUNTRIES_SEEN:
        return _COUNTRIES_SEEN[value]
    code = clean_text(value, max_length=2, required=True, label=_COUNTRY_LABEL).upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise FieldInvalid(_("Unknown country code %(code)s; use ISO 3166-1 alpha-2, e.g. PL or US.")
                           % {"code": repr(code)})
    if len(_COUNTRIES_SEEN) < _SEEN_LIMIT:
        _COUNTRIES_SEEN[value] = code
    return code


# What clean_country and clean_region answered for a text they accepted (pycountry's data does not
# change while the process runs): an import of 100,000 clients asks about the same few again and
# again. Refusals are not kept — their messages are in the language of each request.
_SEEN_LIMIT = 10_000
_COUNTRIES_SEEN: dict[str, str] = {}
_REGIONS_SEEN: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=300)
def subdivisions_of(country: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((s.code, s.name) for s in pycountry.subdivisions.get(country_code=country) or []),
                        key=lambda item: item[1]))


def _fold(text: str) -> str:
    """Compare names without case or accents: 'malopolskie' matches 'Małopolskie'."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


_STATE_REGION_LABEL = gettext_lazy("State/Region")


def clean_region(value: object, country: str) -> str:
    """An ISO 3166-2 code (matched by code or name) where the country has subdivisions, else free text."""
    if isinstance(value, str) and (value, country) in _REGIONS_SEEN:
        return _REGIONS_SEEN[value, country]
    region = clean_text(value, max_length=100, label=_STATE_REGION_LABEL, single_line=True)
    if not region:
        return ""
    subdivisions = subdivisions_of(country)
    if not subdivisions:
        return region
    wanted = _fold(region)
    for code, name in subdivisions:
        if wanted in (_fold(code), _fold(code.split("-", 1)[1]), _fold(name)):
            if len(_REGIONS_SEEN) < _SEEN_LIMIT:
                _REGIONS_SEEN[value, country] = code
            return code
    raise FieldInvalid(_("%(region)s is not a state or region of %(country)s.")
                       % {"region": repr(region), "country": reader_country_name(country)})


def region_name(country: str, region: str) -> str:
    for code, name in subdivisions_of(country) if region else ():
        if code == region:
            return name
    return region
