"""A list's sort as its query string names it: one the list offers, reversed whole for descending
(so an index serves it backwards), the default when none is asked, a field error otherwise."""

import pytest

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.sorting import sort_of

SORTS = {"when": ("created_at", "id"), "action": ("action", "-created_at", "-id")}


@pytest.mark.parametrize(("asked", "value", "ordering"), [
    ("", "-when", ["-created_at", "-id"]),
    (None, "-when", ["-created_at", "-id"]),
    ("when", "when", ["created_at", "id"]),
    ("  -when ", "-when", ["-created_at", "-id"]),
    ("--when", "-when", ["-created_at", "-id"]),
    ("action", "action", ["action", "-created_at", "-id"]),
    ("-action", "-action", ["-action", "created_at", "id"]),
])
def test_an_offered_sort_orders_by_its_fields_all_reversed_when_descending(asked, value, ordering):
    sort = sort_of(asked, SORTS, default="-when")
    assert (sort.value, [f"{'-' if o.descending else ''}{o.expression.name}" for o in sort.ordering]) == (
        value, ordering)


@pytest.mark.parametrize("asked", ["action", "-action"])
def test_an_empty_value_sorts_as_the_largest_in_either_direction(asked):
    """NULLs last ascending, first descending — PostgreSQL's index order — on every database."""
    for order in sort_of(asked, SORTS, default="-when").ordering:
        assert (order.nulls_first, order.nulls_last) == ((True, None) if order.descending else (None, True))


@pytest.mark.parametrize("asked", ["bogus", "-", "id", "created_at", "when\x00", "x" * 500])
def test_a_sort_the_list_does_not_offer_is_a_field_error_naming_the_choices(asked):
    with pytest.raises(ValidationFailed) as refused:
        sort_of(asked, SORTS, default="-when")
    assert refused.value.fields == {"sort": ["Use one of when, action, with - for descending."]}
    assert len(refused.value.message) < 70
