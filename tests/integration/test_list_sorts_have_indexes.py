"""Every sort a large list offers is read off an index, in either direction: the index's columns
lead the sort's fields, all in the sort's directions or all reversed (a backward scan), so a page
reads its rows in order instead of sorting the whole table (documents and ledger entries reach
millions) — their default orders too."""

from __future__ import annotations

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.audit.selectors import AUDIT_SORTS
from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import SERVICE_SORTS
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.selectors import DOCUMENT_SORTS
from clientpanel.ledger.models import LedgerEntry
from clientpanel.ledger.selectors import ENTRY_SORTS
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.selectors import EMAIL_SORTS


def _orders(model) -> list[tuple[str, ...]]:
    """The column orders the model's full (not partial) indexes keep, "-" for a descending column."""
    orders = [("id",)] if model._meta.pk.name == "id" else []
    orders += [(field.name,) for field in model._meta.fields if field.db_index or field.unique]
    orders += [tuple(index.fields) for index in model._meta.indexes if index.condition is None and index.fields]
    orders += [tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None) and c.condition is None]
    return orders


def _serves(order: tuple[str, ...], fields: tuple[str, ...]) -> bool:
    if len(order) > len(fields):
        return False
    pairs = [(a.lstrip("-"), a.startswith("-"), b.lstrip("-"), b.startswith("-"))
             for a, b in zip(order, fields[:len(order)], strict=True)]
    if any(a != b for a, _da, b, _db in pairs):
        return False
    return len({da == db for _a, da, _b, db in pairs}) == 1  # all as the sort, or all reversed


@pytest.mark.parametrize(("model", "sorts"), [(Service, SERVICE_SORTS), (Document, DOCUMENT_SORTS),
                                              (LedgerEntry, ENTRY_SORTS), (AuditEvent, AUDIT_SORTS),
                                              (EmailMessage, EMAIL_SORTS)])
def test_every_offered_sort_is_read_off_an_index(model, sorts):
    for key, fields in sorts.items():
        assert any(_serves(order, tuple(fields)) for order in _orders(model)), f"{model.__name__}: {key}"
