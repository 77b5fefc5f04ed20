"""A product's name shows on orders, services and invoice lines: zero-width characters alone (or
spaces alone) are no name, on creation or on a change."""

from __future__ import annotations

import pytest

from clientpanel.catalog.models import Product
from clientpanel.catalog.services import product_save
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

BLANK = ["\u200b", "\u2060", "\u200d", "\ufeff", "\u200b\u200b", "\u2060\u200d", " \u200b\ufeff ", "\u00a0",
         "\u3000", "\u00a0\u200b\u3000"]


@pytest.mark.parametrize("name", BLANK)
def test_a_product_named_with_nothing_visible_is_refused(name):
    with pytest.raises(ValidationFailed) as refused:
        product_save(actor=None, data={"key": "box", "name": name})
    assert list(refused.value.fields) == ["name"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("name", BLANK)
def test_a_product_is_not_renamed_to_nothing_visible(name):
    product = product_save(actor=None, data={"key": "box", "name": "Box"})
    with pytest.raises(ValidationFailed):
        product_save(actor=None, product_id=product.pk, data={"name": name})
    product.refresh_from_db()
    assert product.name == "Box"


@pytest.mark.parametrize("name", ["\u200b", "\u2060\u200d", " \u200b\ufeff "])
def test_a_name_that_shows_nothing_is_told_so_and_an_empty_one_asked_for(name):
    # One wording for text that shows nothing (core.text.visible_problem); spaces alone are no name typed.
    for given, says in ((name, "Shows no visible character; type it."),
                        ("\u00a0", "Enter a name (at most 200 characters).")):
        with pytest.raises(ValidationFailed) as refused:
            product_save(actor=None, data={"key": "box", "name": given})
        assert refused.value.fields == {"name": [says]}
