"""A home company's numbering patterns: each makes sensible numbers ({NUMBER} once, a padding of
1–12, numbers that fit Document.number), and its three never make the same number (compared by
their text outside digits and placeholders). Through the service; the staff form, the API and
issuing are in test_numbering_patterns_views.py."""

import datetime as dt
import itertools
import random

import pytest
from django.apps import apps

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.numbering import counter_digits, format_number, longest_number, pattern_shape
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db
ALL_SENT = ("proforma_pattern", "invoice_pattern", "credit_note_pattern")


def refused(data: dict, company_id=None) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as failure:
        home_company_save(actor=None, company_id=company_id, data=data)
    return failure.value.fields


def stored_collision(**patterns) -> HomeCompany:
    """A company whose patterns were saved before the rule (written around the service)."""
    company = default_home_company()
    HomeCompany.objects.filter(pk=company.pk).update(**patterns)
    company.refresh_from_db()
    return company


@pytest.mark.parametrize(("field", "pattern", "other"), [
    ("credit_note_pattern", "INV/{YEAR}/{MONTH}/{NUMBER}", "invoice_pattern"),  # the invoice's default
    ("invoice_pattern", "PROFORMA/{YEAR}/{MONTH}/{NUMBER:6}", "proforma_pattern"),  # padding apart
    ("invoice_pattern", "proforma/{YEAR}/{DAY}/{NUMBER}", "proforma_pattern"),  # case, day for month
    ("proforma_pattern", "CN/{YEAR}/{MONTH}/7{NUMBER}", "credit_note_pattern"),  # a digit is no text
])
def test_a_pattern_that_could_make_another_series_numbers_is_refused_naming_both(field, pattern, other):
    company = default_home_company()
    fields = refused({field: pattern}, company.pk)
    assert list(fields) == [field] and f"({other})" in fields[field][0]
    assert getattr(HomeCompany.objects.get(pk=company.pk), field) != pattern


def test_a_new_company_is_checked_against_the_patterns_it_takes_by_default():
    fields = refused({"name": "Nowa Sp. z o.o.", "country": "PL", "proforma_pattern": "CN/{YEAR}/{MONTH}/{NUMBER}"})
    assert list(fields) == ["proforma_pattern"] and "(credit_note_pattern)" in fields["proforma_pattern"][0]
    both = refused({"name": "Nowa", "country": "PL", "invoice_pattern": "R-{YEAR}-{NUMBER}",
                    "credit_note_pattern": "r-{YEAR}-{NUMBER:3}", "invoice_reset": "YEARLY",
                    "credit_note_reset": "YEARLY"})
    assert "(credit_note_pattern)" in both["invoice_pattern"][0]
    assert "(invoice_pattern)" in both["credit_note_pattern"][0]
    assert not HomeCompany.objects.filter(name__startswith="Nowa").exists()


def test_patterns_that_differ_in_their_text_are_accepted():
    company = home_company_save(actor=None, company_id=default_home_company().pk, data={
        "proforma_pattern": "R/{YEAR}/{MONTH}/{NUMBER}", "invoice_pattern": "R-{YEAR}-{MONTH}-{NUMBER}",
        "credit_note_pattern": "R/{YEAR}/{MONTH}/{NUMBER}/K"})
    assert company.invoice_pattern == "R-{YEAR}-{MONTH}-{NUMBER}"


def test_patterns_stored_colliding_before_the_rule_keep_their_other_changes():
    company = stored_collision(credit_note_pattern="FV/{YEAR}/{MONTH}/{NUMBER}",
                               invoice_pattern="FV/{YEAR}/{MONTH}/{NUMBER}")
    sent = {name: getattr(company, name) for name in ALL_SENT}  # the form sends all three each time
    home_company_save(actor=None, company_id=company.pk, data={**sent, "city": "Kraków"})
    home_company_save(actor=None, company_id=company.pk,
                      data={**sent, "proforma_pattern": "PF/{YEAR}/{MONTH}/{NUMBER}"})
    fields = refused({**sent, "credit_note_pattern": "fv/{YEAR}/{MONTH}/{NUMBER:4}"}, company.pk)
    assert list(fields) == ["credit_note_pattern"]
    home_company_save(actor=None, company_id=company.pk,
                      data={**sent, "credit_note_pattern": "KOR/{YEAR}/{MONTH}/{NUMBER}"})
    assert HomeCompany.objects.get(pk=company.pk).city == "Kraków"


@pytest.mark.parametrize(("pattern", "words"), [
    ("FV{NUMBER:50}" * 8, "exactly once"), ("N{NUMBER}-{NUMBER:3}", "exactly once"),
    ("K-{YEAR}-{NUMBER:0}", "1 to 12"), ("K-{YEAR}-{NUMBER:13}", "1 to 12"),
    ("K" * 80 + "{YEAR}{NUMBER}", "characters long"),
])
def test_a_pattern_that_cannot_make_sensible_numbers_is_refused_on_its_field(pattern, words):
    fields = refused({"credit_note_pattern": pattern, "credit_note_reset": "YEARLY"}, default_home_company().pk)
    assert list(fields) == ["credit_note_pattern"] and words in fields["credit_note_pattern"][0]


def test_the_longest_number_is_read_against_the_document_numbers_column(monkeypatch):
    company = default_home_company()
    fitting = "K" * (100 - 4 - counter_digits()) + "{YEAR}{NUMBER:12}"
    assert longest_number(fitting) == 100
    home_company_save(actor=None, company_id=company.pk, data={"credit_note_pattern": fitting,
                                                               "credit_note_reset": "YEARLY"})
    monkeypatch.setattr(apps.get_model("invoicing", "Document")._meta.get_field("number"), "max_length", 40)
    fields = refused({"invoice_pattern": "I" * 20 + "{YEAR}{NUMBER}", "invoice_reset": "YEARLY"}, company.pk)
    assert "43 characters long; at most 40" in fields["invoice_pattern"][0]


def test_a_pattern_stored_before_the_number_rules_does_not_stop_other_changes():
    company = stored_collision(proforma_pattern="P{YEAR}{MONTH}-{NUMBER}-{NUMBER:0}")
    home_company_save(actor=None, company_id=company.pk, data={"proforma_pattern": company.proforma_pattern,
                                                               "name": "Renamed"})
    assert refused({"proforma_pattern": "P{YEAR}{MONTH}-{NUMBER}-{NUMBER:2}"}, company.pk)


def test_patterns_of_different_shapes_never_make_the_same_number():
    """The rule is sound: numbers made from two patterns coincide only when their shapes agree."""
    chooser = random.Random(20261123)
    pieces = ["A", "a", "/", "-", "1", "0", "{YEAR}", "{MONTH}", "{DAY}", "{NUMBER:2}", ""]
    patterns = {"".join(chooser.choice(pieces) for _ in range(3)) + "{NUMBER}" + chooser.choice(pieces)
                for _ in range(300)}
    days = [dt.date(2026, 1, 5), dt.date(2026, 11, 23)]
    made = {p: {format_number(p, n, day).casefold() for n in (1, 7, 10, 2026, 11231) for day in days}
            for p in patterns}
    for first, second in itertools.combinations(sorted(patterns), 2):
        if made[first] & made[second]:
            assert pattern_shape(first) == pattern_shape(second), (first, second)
