"""Which client field a CSV column feeds: the fields an import takes, the headers other panels'
exports use for them (WHMCS, Invoice Ninja, Perfex) and our own export's (in every language the
panel speaks), and the rules of a mapping (each field from one column at most; the required ones
present). Pure: no database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

import pycountry
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clientpanel.core.csv_export import is_guarded

from ..models import ClientStatus

# The fields an import fills, in the order the wizard lists them; labels in the reader's language.
FIELDS = {
    "number": gettext_lazy("Client number"),
    "email": gettext_lazy("Email"),
    "firstname": gettext_lazy("First name"),
    "lastname": gettext_lazy("Last name"),
    "company_name": gettext_lazy("Company name"),
    "tax_id": gettext_lazy("Tax ID"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("Phone"),
    "language": gettext_lazy("Language"),
    "currency": gettext_lazy("Currency"),
    "status": gettext_lazy("Status"),
    "credit_limit": gettext_lazy("Credit limit"),
    "group": gettext_lazy("Group"),
    "address1": gettext_lazy("Address 1"),
    "address2": gettext_lazy("Address 2"),
    "city": gettext_lazy("City"),
    "postcode": gettext_lazy("Postcode"),
    "region": gettext_lazy("State/Region"),
    "country": gettext_lazy("Country"),
}
REQUIRED = ("email", "firstname", "lastname", "country")
ADDRESS_FIELDS = frozenset({"address1", "address2", "city", "postcode", "region", "country"})
CLIENT_FIELDS = frozenset(FIELDS) - ADDRESS_FIELDS - {"email", "number"}

# Headers of other panels' client exports (compared without case, spaces or punctuation).
# WHMCS: firstname, lastname, companyname, email, address1, address2, city, state, postcode,
# country, phonenumber, tax_id, currency, status, "Client Group"; Invoice Ninja: "Client Name",
# "Client Number", "ID Number", "VAT Number", "Postal Code", "Contact First Name", "Contact Email"…;
# Perfex: company, vat, phonenumber, zip, state, address, firstname, lastname, email.
ALIASES = {
    "number": ["number", "clientnumber", "customernumber", "accountnumber", "clientno"],
    "email": ["email", "emailaddress", "contactemail", "clientemail", "owneremail", "mail"],
    "firstname": ["firstname", "contactfirstname", "givenname", "first"],
    "lastname": ["lastname", "contactlastname", "surname", "familyname", "last"],
    "company_name": ["companyname", "company", "clientname", "organisation", "organization", "business"],
    "tax_id": ["taxid", "vat", "vatnumber", "vatid", "taxnumber", "nip", "vatno"],
    "id_number": ["idnumber", "registrationnumber", "companyid", "regon"],
    "phone": ["phone", "phonenumber", "telephone", "tel", "contactphone", "mobile", "phoneno"],
    "language": ["language", "lang", "locale", "defaultlanguage"],
    "currency": ["currency", "currencycode", "defaultcurrency"],
    "status": ["status", "clientstatus"],
    "credit_limit": ["creditlimit"],
    "group": ["group", "clientgroup", "groupname", "customergroup", "customergroups"],
    "address1": ["address1", "address", "street", "addressline1", "streetaddress", "billingstreet"],
    "address2": ["address2", "addressline2"],
    "city": ["city", "town", "billingcity"],
    "postcode": ["postcode", "zip", "zipcode", "postalcode", "billingzip"],
    "region": ["region", "state", "province", "stateregion", "county", "billingstate"],
    "country": ["country", "countrycode", "billingcountry"],
}
# Our own export's headers (ui/exports.py CLIENT_COLUMNS), read in every language of the panel,
# since the export writes them in its reader's.
OUR_EXPORT = {
    "number": gettext_lazy("Client number"), "company_name": gettext_lazy("Company"),
    "firstname": gettext_lazy("First name"), "lastname": gettext_lazy("Last name"), "email": gettext_lazy("Email"),
    "tax_id": gettext_lazy("Tax ID"), "phone": gettext_lazy("Phone"), "country": gettext_lazy("Country"),
    "city": gettext_lazy("City"), "status": gettext_lazy("Status"), "group": gettext_lazy("Group"),
    "currency": gettext_lazy("Currency"), "credit_limit": gettext_lazy("Credit limit"),
}
NOT_IMPORTED = pgettext_lazy("import column", "— not imported —")


def header_key(text: str) -> str:
    """A header compared without case, accents, spaces or punctuation ("E-mail Address" → emailaddress)."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return re.sub(r"[^0-9a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).casefold())


@cache
def _guesses(languages: tuple[str, ...]) -> dict[str, str]:
    table = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
    for language in languages:
        with translation.override(language):
            for labels in (OUR_EXPORT, FIELDS):
                for field, label in labels.items():
                    table.setdefault(header_key(str(label)), field)
    return table


def header_guesses() -> dict[str, str]:
    return _guesses(tuple(code for code, _name in settings.LANGUAGES))


def guess_columns(headers: Sequence[str], saved: dict[str, str] | None = None) -> list[str]:
    """The field of each column ("" for none): a saved mapping's choice for the header when given,
    else our field names themselves (`email`, `tax_id`…), our export's headers and other panels'.
    A field already taken by an earlier column is not guessed twice; a saved or given mapping is
    taken as it is, for mapping_problems to judge (two columns for one field, unknown fields)."""
    table = header_guesses()
    saved_keys = {header_key(header): field for header, field in (saved or {}).items()}
    columns: list[str] = []
    for header in headers:
        if saved is not None:
            field = saved.get(header, saved_keys.get(header_key(header), ""))
        else:
            field = header if header in FIELDS else table.get(header_key(header), "")
        if saved is None and field in columns:
            field = ""  # a guess never feeds a field twice; a mapping someone chose is checked as it is
        columns.append(field if field in FIELDS or saved is not None else "")
    return columns


def headers_not_in_file(headers: Sequence[str], mapping: dict[str, str]) -> list[str]:
    """The headers a given mapping names that the file's first line does not have (compared as
    guess_columns compares them): a mapping for another file, or a typing slip, whose choice would
    otherwise be dropped without a word."""
    keys = {header_key(header) for header in headers}
    return [header for header in mapping if header not in headers and header_key(header) not in keys]


def mapping_problems(headers: Sequence[str], columns: Sequence[str]) -> dict[str, list[str]]:
    """Field errors of a mapping, keyed column_<n> (0-based) or "columns": an unknown field, a field
    fed by two columns, a required field fed by none."""
    problems: dict[str, list[str]] = {}
    if len(columns) != len(headers):
        return {"columns": [_("Choose a field (or none) for each of the %(count)d columns.") % {"count": len(headers)}]}
    first: dict[str, int] = {}
    for index, field in enumerate(columns):
        if not field:
            continue
        if field not in FIELDS:
            problems.setdefault(f"column_{index}", []).append(_("Unknown field %(field)s.") % {"field": repr(field)})
        elif field in first:
            problems.setdefault(f"column_{index}", []).append(
                _("%(field)s is already fed by column %(other)s; a field takes one column.")
                % {"field": FIELDS[field], "other": repr(headers[first[field]])})
        else:
            first[field] = index
    missing = [str(FIELDS[field]) for field in REQUIRED if field not in first]
    if missing:
        problems.setdefault("columns", []).append(
            _("A client needs these columns: %(fields)s. Choose the column of each.") % {"fields": ", ".join(missing)})
    return problems


@cache
def _status_labels(languages: tuple[str, ...]) -> dict[str, str]:
    table = {}
    for language in languages:
        with translation.override(language):
            for code, label in ClientStatus.choices:
                table[header_key(str(label))] = code
    for code in ClientStatus.values:
        table[header_key(code)] = code
    return table


def status_code(value: str) -> str:
    """A status as written by our export (its label in any of the panel's languages: "Active",
    "Aktywny") or as a code; anything else is left for the status rule to refuse."""
    # No status is over 40 characters: a longer cell (up to 1 MiB) is looked up, not kept.
    look_up = _status_of if len(value) <= 40 else _status_of.__wrapped__
    return look_up(value, tuple(code for code, _name in settings.LANGUAGES))


@lru_cache(maxsize=1024)
def _status_of(value: str, languages: tuple[str, ...]) -> str:
    # Kept per value: an import reads a status on every row, nearly always one of a few.
    return _status_labels(languages).get(header_key(value), value)


def strip_formula_guard(cell: str) -> str:
    """Our export writes a ' before a cell starting with = + - @ tab or CR (formula injection), or
    with a ' that such a guard would be taken for (core/csv_export.py is_guarded); a re-import
    takes the cell back as it was."""
    return cell[1:] if is_guarded(cell) else cell


def country_code(value: str) -> str:
    """A country's name ("Poland") where the file has one instead of its code; codes and unknown
    names are left to the country rule."""
    if len(value) <= 2:
        return value
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return value
