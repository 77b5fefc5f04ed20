"""Demo data: about 60 realistic clients in several countries, with valid tax IDs.

Generated from a fixed random seed, so every run proposes the same clients and `seed_demo` can
skip the ones that exist (idempotent).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from .validation import FieldInvalid, clean_tax_id

# country: (currency, language, cities [(city, postcode, region)], tax id digits or None, phone prefix)
COUNTRIES: dict[str, dict[str, Any]] = {
    "PL": {"currency": "PLN", "language": "pl", "tax_digits": 10, "phone": "+48 22 {n3} {n2} {n2b}",
           "cities": [("Warszawa", "02-454", "Mazowieckie"), ("Kraków", "30-001", "Małopolskie"),
                      ("Gdańsk", "80-001", "Pomorskie"), ("Wrocław", "50-001", "Dolnośląskie")],
           "first": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł"],
           "last": ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski"],
           "streets": ["ul. Marszałkowska", "ul. Długa", "ul. Piotrkowska", "al. Jerozolimskie"],
           "company": ["{last} sp. z o.o.", "{last} i Wspólnicy", "Hosting {last} S.A."]},
    "DE": {"currency": "EUR", "language": "en", "tax_digits": 9, "phone": "+49 30 {n3}{n2}{n2b}",
           "cities": [("Berlin", "10115", "Berlin"), ("München", "80331", "Bayern"), ("Hamburg", "20095", "Hamburg")],
           "first": ["Lukas", "Sophie", "Jonas", "Mia", "Felix"],
           "last": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber"],
           "streets": ["Hauptstraße", "Lindenstraße", "Bahnhofstraße"],
           "company": ["{last} GmbH", "{last} Digital AG"]},
    "NL": {"currency": "EUR", "language": "en", "tax_digits": 9, "tax_suffix": "B01", "phone": "+31 20 {n3} {n2}{n2b}",
           "cities": [("Amsterdam", "1011 AB", "Noord-Holland"), ("Utrecht", "3511 AA", "Utrecht")],
           "first": ["Daan", "Emma", "Sem", "Julia"], "last": ["de Jong", "Jansen", "Visser", "Bakker"],
           "streets": ["Keizersgracht", "Damrak"], "company": ["{last} B.V."]},
    "GB": {"currency": "GBP", "language": "en", "tax_digits": 9, "phone": "+44 20 7{n3} {n2}{n2b}",
           "cities": [("London", "EC1A 1BB", ""), ("Manchester", "M1 1AE", "")],
           "first": ["Oliver", "Amelia", "Harry", "Isla"], "last": ["Smith", "Taylor", "Brown", "Wilson"],
           "streets": ["High Street", "Station Road"], "company": ["{last} Ltd", "{last} Hosting plc"]},
    "CA": {"currency": "CAD", "language": "en", "tax_digits": 9, "phone": "+1 416 555 0{n3}",
           "cities": [("Toronto", "M5H 2N2", "Ontario"), ("Montréal", "H2Y 1C6", "Quebec"),
                      ("Vancouver", "V6B 1A1", "British Columbia")],
           "first": ["Liam", "Olivia", "Noah", "Charlotte"], "last": ["Tremblay", "Roy", "Gagnon", "Martin"],
           "streets": ["King Street W", "Rue Saint-Paul", "Granville Street"],
           "company": ["{last} Systems Inc.", "BridgePath {last} Ltd."]},
    "US": {"currency": "USD", "language": "en", "tax_digits": None, "phone": "+1 212 555 0{n3}",
           "cities": [("New York", "10001", "New York"), ("Austin", "73301", "Texas"),
                      ("San Francisco", "94103", "California")],
           "first": ["James", "Emily", "Michael", "Ava", "Ethan", "Zoe"],
           "last": ["Johnson", "Williams", "Jones", "Garcia", "Miller", "Labadie"],
           "streets": ["Main Street", "Broadway", "Market Street"],
           "company": ["{last} Enterprises LLC", "Zenith {last} Inc."]},
    "AU": {"currency": "USD", "language": "en", "tax_digits": 11, "phone": "+61 2 9{n3} {n2}{n2b}",
           "cities": [("Sydney", "2000", "New South Wales"), ("Melbourne", "3000", "Victoria")],
           "first": ["Jack", "Chloe", "William"], "last": ["Thompson", "Walker", "White"],
           "streets": ["George Street", "Collins Street"], "company": ["{last} Pty Ltd"]},
}
STATUSES = ["ACTIVE"] * 6 + ["NEW"] * 3 + ["INACTIVE", "CLOSED", "FRAUD"]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]


def _valid_tax_id(rng: random.Random, country: str, spec: dict[str, Any]) -> str:
    digits = spec["tax_digits"]
    for _ in range(100_000):
        candidate = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        candidate += spec.get("tax_suffix", "")
        try:
            return clean_tax_id(candidate, country)
        except FieldInvalid:
            continue
    raise RuntimeError(f"could not generate a tax ID for {country}")


def _ascii(text: str) -> str:
    table = str.maketrans("ąćęłńóśźżäöüéèÉŁŚŻ ", "acelnoszzaoueeELSZ.")
    return text.lower().translate(table)


def demo_clients(count: int = 60) -> Iterator[dict[str, Any]]:
    rng = random.Random(20261121)  # noqa: S311 — demo data, not security
    countries = list(COUNTRIES)
    for index in range(count):
        country = countries[index % len(countries)]
        spec = COUNTRIES[country]
        first, last = rng.choice(spec["first"]), rng.choice(spec["last"])
        city, postcode, region = rng.choice(spec["cities"])
        is_company = rng.random() < 0.65
        has_tax_id = is_company and spec["tax_digits"] is not None and rng.random() < 0.85
        n = {"n3": f"{rng.randint(100, 999)}", "n2": f"{rng.randint(10, 99)}", "n2b": f"{rng.randint(10, 99)}"}
        yield {
            "email": f"{_ascii(first)[0]}.{_ascii(last)}{index:02d}@{rng.choice(EMAIL_DOMAINS)}",
            "firstname": first,
            "lastname": last,
            "company_name": rng.choice(spec["company"]).format(last=last) if is_company else "",
            "tax_id": _valid_tax_id(rng, country, spec) if has_tax_id else "",
            "phone": spec["phone"].format(**n),
            "language": spec["language"],
            "currency": spec["currency"],
            "status": rng.choice(STATUSES),
            "credit_limit": rng.choice(["0", "0", "0", "100", "500", "2500.00"]),
            "billing_address": {
                "address1": f"{rng.choice(spec['streets'])} {rng.randint(1, 120)}",
                "city": city, "postcode": postcode, "country": country, "region": region,
            },
        }
