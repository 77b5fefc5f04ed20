"""What the bank statement tests share: a home company numbering proformas PF/{YEAR}/{MONTH}/{NUMBER:4},
PLN clients with proformas, and statement files written as a Polish bank exports them."""

from __future__ import annotations

import pytest

from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

HEADER = "Data księgowania;Kwota;Waluta;Tytuł;Nadawca;Nr referencyjny\n"


def statement_file(*lines: tuple, encoding: str = "cp1250") -> bytes:
    """A statement with one booking per (date, amount, title[, reference[, currency]])."""
    rows = []
    for date, amount, title, *rest in lines:
        reference = rest[0] if rest else ""
        currency = rest[1] if len(rest) > 1 else "PLN"
        rows.append(f'{date};"{amount}";{currency};{title};Jan Kowalski;{reference}\n')
    return (HEADER + "".join(rows)).encode(encoding)


@pytest.fixture(name="company")
def company_fixture(db) -> HomeCompany:
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"proforma_pattern": "PF/{YEAR}/{MONTH}/{NUMBER:4}"})
    return HomeCompany.objects.get(pk=company.pk)


@pytest.fixture(name="make_proforma")
def make_proforma_fixture(company, make_client):
    def make(amount: str = "100.00", currency: str = "PLN", client=None) -> Document:
        client = client or make_client(currency=currency)
        return proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount)

    return make


def pln(document: Document) -> str:
    """The amount due on the document as a Polish bank writes it: 1 234,56."""
    whole, _, cents = f"{document.amount_due:.2f}".partition(".")
    groups = f"{int(whole):,}".replace(",", " ")
    return f"{groups},{cents}"
