"""The columns of the CSV exports (issue 13): what a list page shows of a client, a document or a
ledger entry, plus the numbers a re-import needs. Labels in the reader's language; amounts as
numbers with the currency's decimals (core.csv_export.Amount), codes as their translated labels.
The views find the rows through the same selectors as their pages and hand them to
downloads.csv_attachment with these columns."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientpanel.core.csv_export import Amount
from clientpanel.core.money import currency_minor_unit

Column = tuple[Any, Callable[[Any], object]]

# Rows fetched from the database at a time while an export streams.
CHUNK_SIZE = 2000


@lru_cache(maxsize=64)
def _places(currency: str) -> int:
    try:
        return currency_minor_unit(currency)
    except Exception:  # a currency Babel does not know: the ledger's usual 2
        return 2


def _amount(value, currency: str) -> Amount | None:
    return None if value is None else Amount(value, _places(currency))


CLIENT_COLUMNS: list[Column] = [
    (_("Client number"), lambda c: c.number),
    (_("Client"), lambda c: c.display_name),
    (_("Company"), lambda c: c.company_name),
    (_("First name"), lambda c: c.firstname),
    (_("Last name"), lambda c: c.lastname),
    (_("Email"), lambda c: c.owner.email),
    (_("Owner"), lambda c: c.owner.full_name),
    (_("Tax ID"), lambda c: c.tax_id),
    (_("Phone"), lambda c: c.phone),
    (_("Country"), lambda c: c.billing_country),
    (_("City"), lambda c: c.billing_city),
    (_("Status"), lambda c: c.get_status_display()),
    (_("Group"), lambda c: c.group.name if c.group_id else ""),
    (_("Currency"), lambda c: c.currency),
    (_("Balance"), lambda c: _amount(c.balance, c.currency)),
    (_("Credit limit"), lambda c: _amount(c.credit_limit, c.currency)),
    (_("Created"), lambda c: c.created_at),
]

DOCUMENT_COLUMNS: list[Column] = [
    (_("Number"), lambda d: d.number or ""),
    (_("Type"), lambda d: d.get_type_display()),
    (_("Status"), lambda d: d.get_status_display()),
    (_("Client number"), lambda d: d.client.number),
    (_("Client"), lambda d: d.client.display_name),
    (_("Issue Date"), lambda d: d.issue_date),
    (_("Due Date"), lambda d: d.due_date),
    (_("Paid Date"), lambda d: d.paid_date),
    (_("Currency"), lambda d: d.currency),
    (_("Net"), lambda d: _amount(d.net, d.currency)),
    (_("Tax"), lambda d: _amount(d.tax, d.currency)),
    (_("Total"), lambda d: _amount(d.total, d.currency)),
    (_("Home Company"), lambda d: d.home_company.name),
]

ENTRY_COLUMNS: list[Column] = [
    (_("Date"), lambda e: e.created_at),
    (_("Client number"), lambda e: e.client.number),
    (_("Client"), lambda e: e.client.display_name),
    (_("Type"), lambda e: e.get_type_display()),
    (_("Entry number"), lambda e: e.sequence),
    (_("Transaction ID"), lambda e: e.transaction_id),
    (_("Description"), lambda e: e.reader_description),
    (_("Net"), lambda e: _amount(e.net, e.client.currency)),
    (_("Gross"), lambda e: _amount(e.gross, e.client.currency)),
    (_("Balance before"), lambda e: _amount(e.balance_before, e.client.currency)),
    (_("Balance after"), lambda e: _amount(e.balance_after, e.client.currency)),
    (_("Currency"), lambda e: e.client.currency),
    (_("Period start"), lambda e: e.period_start),
    (_("Period end"), lambda e: e.period_end),
]


def header(columns: list[Column]) -> list[str]:
    return [str(label) for label, _get in columns]


def rows(columns: list[Column], items: Iterable[Any]) -> Iterator[list[object]]:
    """One list of cells per item, read from `items` one at a time."""
    for item in items:
        yield [get(item) for _label, get in columns]


def export_filename(stem: str) -> str:
    """"clients-20250131.csv": the stem (letters, digits, dots, dashes and underscores kept) and
    today's date."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "export"
    return f"{safe}-{timezone.localdate():%Y%m%d}.csv"
