"""The API's bounded input types (core/api_types.py)."""

import pytest
from pydantic import BaseModel, ValidationError

from clientpanel.core.api_types import Int, IntId


class Counts(BaseModel):
    days: Int(0, 365) | None = None
    price: IntId | None = None


@pytest.mark.parametrize("field", ["days", "price"])
@pytest.mark.parametrize("value", [True, False])
def test_a_json_boolean_is_not_a_whole_number(field, value):
    # Pydantic's lax int took true as 1: {"price": true} ordered price 1, {"days": true} meant one day.
    with pytest.raises(ValidationError, match="not true or false"):
        Counts(**{field: value})


def test_whole_numbers_and_their_text_are_still_taken():
    assert Counts(days=7, price="12").model_dump() == {"days": 7, "price": 12}
