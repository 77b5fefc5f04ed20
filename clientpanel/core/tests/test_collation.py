"""Names in the reader's alphabetical order (core/collation.py; issue 14, item 9). The country
lists built on it: backoffice/tests/test_country_order.py."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clientpanel.core.collation import collation_key, sorted_by_name


def in_order(words, language):
    return sorted_by_name(words, language)


# --- the key ---------------------------------------------------------------------------------------

def test_polish_letters_follow_their_base_letter_as_in_the_polish_alphabet():
    # CLDR's Polish tailoring: ł is a letter of its own after l, so Łotwa comes after every L…
    assert in_order(["Łotwa", "Madagaskar", "Luksemburg", "Litwa"], "pl") == [
        "Litwa", "Luksemburg", "Łotwa", "Madagaskar"]
    assert in_order(["Włochy", "Węgry", "Wenezuela", "Wietnam"], "pl") == ["Wenezuela", "Węgry", "Wietnam", "Włochy"]
    assert in_order(["Żory", "Zabrze", "Źródło", "Zyrardów"], "pl") == ["Zabrze", "Zyrardów", "Źródło", "Żory"]
    assert in_order(["Óa", "Ozz", "Pa"], "pl") == ["Ozz", "Óa", "Pa"]  # ó is a letter of its own in Polish


def test_other_accents_stay_with_their_letter_instead_of_going_to_the_end():
    # Not a Polish letter: Ö files with O in Polish too (and in English, and in German's DIN 5007-1).
    for language in ("pl", "en", "de"):
        assert in_order(["Ozeanien", "Österreich", "Oman", "Zypern"], language) == [
            "Oman", "Österreich", "Ozeanien", "Zypern"]
    assert in_order(["Óa", "Ozz"], "en") == ["Óa", "Ozz"]  # English: ó is an accented o
    assert in_order(["Côte", "Cote", "Costa"], "en") == ["Costa", "Cote", "Côte"]  # accents break ties only


def test_case_and_spaces_do_not_scatter_names():
    assert in_order(["saint lucia", "Saint-Martin", "Saint Kitts", "Samoa"], "en") == [
        "Saint Kitts", "saint lucia", "Saint-Martin", "Samoa"]
    assert in_order(["b", "A", "a", "B"], "en") == ["a", "A", "b", "B"]


@given(st.lists(st.text(max_size=12), max_size=20), st.sampled_from(["en", "pl", "pl-PL", "de", ""]))
def test_the_key_is_a_total_order_on_any_text(words, language):
    ordered = sorted(words, key=lambda w: collation_key(w, language))
    assert sorted(ordered, key=lambda w: collation_key(w, language)) == ordered
    assert sorted(words) == sorted(ordered)  # nothing lost or made up
