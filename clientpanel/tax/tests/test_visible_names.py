"""A home company's name heads every document and its item names are the text of Add Funds and
refund lines: none may be empty or show nothing (zero-width characters alone), on a change
either. Its other text, when given, must show something too."""

from __future__ import annotations

import pytest

from clientpanel.core.errors import ValidationFailed
from clientpanel.tax.models import HomeCompany, TaxRule
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u200b", "\u2060", "\u200d", "\ufeff", "\u200b\u200b", "\u2060\u200d", " \u200b\ufeff "]
SPACES = ["", "\u00a0", "\u3000", "\u00a0\u3000 "]
REQUIRED = ["name", "topup_item_name", "refund_item_name"]


def refusal(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, **kwargs)
    return refused.value.fields


@pytest.mark.parametrize("text", INVISIBLE + SPACES)
@pytest.mark.parametrize("field", REQUIRED)
def test_a_new_company_with_a_blank_or_invisible_name_is_refused(field, text):
    before = HomeCompany.objects.count()
    data = {"name": "Second", "country": "DE", field: text}
    assert list(refusal(data=data)) == [field]
    assert HomeCompany.objects.count() == before


@pytest.mark.parametrize("text", INVISIBLE + SPACES)
@pytest.mark.parametrize("field", REQUIRED)
def test_a_name_is_never_changed_to_blank_or_invisible(field, text):
    company = default_home_company()
    before = getattr(company, field)
    assert list(refusal(company_id=company.pk, data={field: text})) == [field]
    company.refresh_from_db()
    assert getattr(company, field) == before


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", ["address1", "city", "bank_details", "invoice_footer", "registration_number"])
def test_other_text_given_must_show_something(field, text):
    company = default_home_company()
    assert list(refusal(company_id=company.pk, data={field: text})) == [field]
    home_company_save(actor=None, company_id=company.pk, data={field: ""})  # left empty: fine


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", REQUIRED)
def test_a_required_name_that_shows_nothing_is_told_so(field, text):
    # Said as everywhere else (core.text.visible_problem), not "enter the name" to one who typed something.
    assert refusal(company_id=default_home_company().pk, data={field: text}) == {
        field: ["Shows no visible character; type it."]}


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_tax_named_with_nothing_visible_is_refused(n, text):
    """A tax's name is printed beside its amount on every document: U+200B alone read as no name."""
    company = default_home_company()
    data = {"country": "DE", "tax1_name": "VAT", "tax1_rate": "19", f"tax{n}_name": text, f"tax{n}_rate": "7"}
    with pytest.raises(ValidationFailed) as refused:
        tax_rule_save(actor=None, company_id=company.pk, data=data)
    assert refused.value.fields == {f"tax{n}_name": ["Shows no visible character; type it, or leave it empty."]}
    assert not TaxRule.objects.filter(country="DE").exists()
    rule = tax_rule_save(actor=None, company_id=company.pk, data={"country": "DE", "tax1_name": "VAT",
                                                                   "tax1_rate": "19"})
    with pytest.raises(ValidationFailed):
        tax_rule_save(actor=None, company_id=company.pk, rule_id=rule.pk, data={"tax1_name": text})
    rule.refresh_from_db()
    assert rule.tax1_name == "VAT"
