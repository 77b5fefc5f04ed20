"""An item's description is one line of text that shows (the panel's editor has a one-line field
for it, the PDF one row): no line break, no direction control ("a\u202eb" reads backwards), not
zero-width characters alone. An item without a description stays a top-up."""

from __future__ import annotations

import pytest

from clientpanel.core.errors import FieldErrors
from clientpanel.invoicing.pricing import clean_items

BLANK = ["\u200b", "\u2060", "\u200d", "\ufeff", "\u200b\u200b", "\u2060\u200d", " \u200b\ufeff ", "\u00a0",
         "\u3000", "\u00a0\u200b\u3000"]
NOT_ONE_LINE = ["multi\nline", "multi\r\nline", "tab\there", "a\u202eb", "a\u2066b\u2069", "\u202dHosting"]


def description_refusal(description) -> list[str]:
    errors = FieldErrors()
    clean_items([{"description": description, "quantity": "1", "unit_price": "10"}], "USD", errors)
    return errors.fields.get("items.0.description", [])


@pytest.mark.parametrize("description", BLANK + NOT_ONE_LINE)
def test_a_description_that_shows_nothing_or_is_not_one_plain_line_is_refused(description):
    assert description_refusal(description)


@pytest.mark.parametrize("description", ["Hosting, May", "Ż", "Serwer — maj 2026", "  Hosting  "])
def test_a_plain_description_is_taken_stripped(description):
    errors = FieldErrors()
    (item,) = clean_items([{"description": description, "quantity": "1", "unit_price": "10"}], "USD", errors)
    assert not errors and item["description"] == description.strip()


@pytest.mark.parametrize("description", ["\u200b", "\u2060\u200d", " \u200b\ufeff "])
def test_a_description_that_shows_nothing_is_told_so_and_an_empty_one_asked_for(description):
    # One wording for text that shows nothing (core.text.visible_problem).
    assert description_refusal(description) == ["Shows no visible character; type it."]
    assert description_refusal("\u00a0") == description_refusal("") == ["Describe the item (1 to 500 characters)."]
