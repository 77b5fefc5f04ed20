"""Which column of a bank statement holds what: each field's header names as banks write them, in
English or Polish (compared folded: lowercase, without diacritics), and the columns a header line
names (reading.py finds that line)."""

from __future__ import annotations

import re
import unicodedata


def folded_header(header: str) -> str:
    """A header as it is compared: lowercase, without diacritics (ł as l), punctuation as spaces."""
    text = unicodedata.normalize("NFKD", header.replace("ł", "l").replace("Ł", "L"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Each field's header names, most specific first (folded). Title: every column named so is read
# (a title and a description), joined.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("booking date", "date booked", "posting date", "data ksiegowania", "transaction date",
             "data operacji", "data transakcji", "operation date", "value date", "data waluty", "date", "data"),
    "amount": ("amount", "kwota", "kwota operacji", "kwota transakcji", "kwota przelewu", "credit amount",
               "transaction amount", "wartosc"),
    "currency": ("currency", "waluta", "waluta operacji", "waluta transakcji", "waluta rachunku"),
    "title": ("title", "tytul", "tytul operacji", "tytul przelewu", "tytulem", "description", "opis",
              "opis operacji", "opis transakcji", "details", "szczegoly", "payment details", "remittance information"),
    "counterparty_name": ("counterparty", "counterparty name", "nadawca", "kontrahent", "nazwa kontrahenta",
                          "dane kontrahenta", "nadawca odbiorca", "odbiorca nadawca", "nazwa nadawcy", "payer",
                          "payer name", "sender", "sender name", "name"),
    "counterparty_account": ("account", "counterparty account", "rachunek", "rachunek kontrahenta",
                             "rachunek nadawcy", "numer rachunku", "nr rachunku", "konto", "iban",
                             "payer account", "sender account"),
    "bank_reference": ("reference", "bank reference", "transaction id", "transaction reference",
                       "nr referencyjny", "numer referencyjny", "id transakcji", "identyfikator transakcji",
                       "numer transakcji", "nr transakcji"),
}
REQUIRED = ("date", "amount", "title")


# The usual headers of each field as banks write them, for the upload page.
SHOWN_NAMES: dict[str, str] = {
    "date": "Date, Booking date, Data księgowania, Data operacji",
    "amount": "Amount, Kwota, Kwota operacji",
    "title": "Title, Description, Tytuł, Opis, Opis operacji",
    "currency": "Currency, Waluta",
    "counterparty_name": "Counterparty, Sender, Nadawca, Kontrahent",
    "counterparty_account": "Account, IBAN, Rachunek, Numer rachunku",
    "bank_reference": "Reference, Transaction ID, Nr referencyjny, ID transakcji",
}


def column_names() -> dict[str, str]:
    """The usual header names of each field, for the upload page (COLUMNS holds them all)."""
    return dict(SHOWN_NAMES)


def columns_of(headers: list[str]) -> dict[str, list[int]]:
    """The column index(es) of each field found in the headers: the first header of each name in
    the field's order of preference (every title-like column for the title)."""
    folded = [folded_header(header) for header in headers]
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    for field, names in COLUMNS.items():
        indexes = []
        for name in names:
            for index, header in enumerate(folded):
                if header == name and index not in taken:
                    indexes.append(index)
                    if field != "title":
                        break
            if indexes and field != "title":
                break
        if indexes:
            found[field] = sorted(indexes) if field == "title" else indexes
            taken.update(indexes)
    return found
