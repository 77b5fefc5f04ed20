"""Numbers typed into forms (ui.numbers): a text that is no number is refused by the field with an
example written as the page writes numbers — "12,50" on a Polish page, where "12.50" told people to
type what the page itself never shows — and phones get a keyboard of digits, unless the number may
be negative."""

from __future__ import annotations

from django import forms
from django.utils import translation

from clientpanel.ui.numbers import LocalizedNumberField, typed_number


class AmountForm(forms.Form):
    amount = LocalizedNumberField(label="Amount", max_length=32)
    signed = LocalizedNumberField(label="Signed", max_length=32, required=False, signed=True, example="-12.50")
    rate = LocalizedNumberField(label="Rate", max_length=32, required=False, example="4.3127")


def errors_of(data: dict, language: str) -> dict:
    with translation.override(language):
        form = AmountForm(data)
        form.is_valid()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_no_number_is_refused_with_an_example_in_the_page_s_notation():
    assert errors_of({"amount": "abc", "signed": "1e3", "rate": "4.3.1"}, "pl") == {
        "amount": ["Wpisz liczbę, np. 12,50."], "signed": ["Wpisz liczbę, np. -12,50."],
        "rate": ["Wpisz liczbę, np. 4,3127."]}
    assert errors_of({"amount": "12,50"}, "en") == {"amount": ["Enter a number, e.g. 12.50."]}


def test_numbers_of_either_notation_go_on_as_the_services_read_them():
    with translation.override("pl"):
        form = AmountForm({"amount": "1 234,56", "signed": "-0,5", "rate": "4.3127"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": "1234.56", "signed": "-0.5", "rate": "4.3127"}


def test_phones_get_a_decimal_keypad_where_the_page_reads_both_marks_unless_the_number_may_be_negative():
    """The keypad shows the phone's regional mark: on a Polish page either is read, on an English
    page only "." is, so a phone set to a comma region must keep its full keyboard there."""
    with translation.override("pl"):
        assert str(AmountForm()).count('inputmode="decimal"') == 2
        assert 'inputmode="decimal"' not in str(AmountForm()["signed"])
    with translation.override("en"):
        assert 'inputmode' not in str(AmountForm())


def test_typed_number_writes_the_page_s_decimal_mark():
    with translation.override("pl"):
        assert typed_number("1000.50") == "1000,50" and typed_number("abc") == "abc"
    with translation.override("en"):
        assert typed_number("1000.50") == "1000.50"
