"""Countries (ISO 3166-1) and their subdivisions (ISO 3166-2) from pycountry, and the small text
rule every form field shares. Used by client addresses and home companies alike."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry

from .text import text_problem


class FieldInvalid(ValueError):
    """A value a person typed is not acceptable; the message says why."""


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
    problem = text_problem(value)
    if problem:
        raise FieldInvalid(f"{label}: {problem[0].lower()}{problem[1:]}")
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
