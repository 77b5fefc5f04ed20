"""The one text rule (core/text.py): no control characters but line breaks and tabs, no lone surrogates,
no replacement characters (bytes that were not UTF-8)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.core.ids import int_id_or_none
from clientpanel.core.places import FieldInvalid, clean_text
from clientpanel.core.text import has_visible_text, json_problem, text_problem, visible_problem


@pytest.mark.parametrize("value", ["", "Zażółć gęślą jaźń", "Line\nbreak", "CR\r\nLF", "tab\there", "emoji 🙂"])
def test_printable_text_line_breaks_and_tabs_pass(value):
    assert text_problem(value) is None


@pytest.mark.parametrize("value, says", [
    ("a\x00b", "NUL"), ("\x07", "U+0007"), ("\x1b[2J", "U+001B"), ("\x7f", "U+007F"), ("\x85", "U+0085"),
    ("\ud800", "surrogate"), ("x\udfffy", "surrogate"), ("Krak\ufffdw", "U+FFFD"),
])
def test_control_characters_and_lone_surrogates_are_refused_with_a_reason(value, says):
    assert says in text_problem(value)


@pytest.mark.parametrize("value", ["a\nb", "a\tb", "a\rb"])
def test_single_line_values_refuse_line_breaks_and_tabs(value):
    assert "one line" in text_problem(value, single_line=True)


def test_clean_text_refuses_nul_and_names_the_field():
    with pytest.raises(FieldInvalid, match="City: contains a NUL byte"):
        clean_text("Kra\x00ków", max_length=100, label="City")


def test_json_values_are_checked_at_every_depth_keys_too():
    assert json_problem({"a": [{"b": "ok"}], "n": 1, "t": True, "z": None}) is None
    assert "NUL" in json_problem({"a": [{"b": "x\x00"}]})
    assert "NUL" in json_problem({"k\x00": 1})
    deep = "x"
    for _ in range(20):
        deep = [deep]
    assert "deeper" in json_problem({"a": deep})


@given(st.text())
def test_any_text_is_either_accepted_or_refused_never_an_error(value):
    problem = text_problem(value)
    clean = all(ch in "\n\r\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF)
                for ch in value)
    assert (problem is None) == clean


@pytest.mark.parametrize("value, expected", [
    ("42", 42), (7, 7), ("000123", 123), ("9" * 18, int("9" * 18)),
    ("9" * 19, None), ("9" * 5000, None), ("²", None), ("٣", None), ("-1", None), ("1.0", None), ("", None),
    (None, None), (" 4", None),
])
def test_an_integer_id_from_outside_is_digits_within_a_bigint_or_nothing(value, expected):
    assert int_id_or_none(value) == expected


def test_a_text_is_visible_exactly_when_one_of_its_characters_shows_whatever_comes_first():
    # has_visible_text answers at once when the first character is a letter or digit; every
    # character of the first plane, first and alone or before an invisible one, answers as the
    # walk over each character's category does.
    invisible = {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn"}

    def walked(text: str) -> bool:
        return any(not ch.isspace() and unicodedata.category(ch) not in invisible for ch in text)

    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in (char, char + "\u200b", " " + char):
            assert has_visible_text(text) is walked(text), (hex(code), text)
    assert has_visible_text("") is False


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"a": [float("-inf")]}, [1, {"b": float("nan")}]])
def test_a_json_value_with_a_number_json_does_not_have_is_refused(value):
    # PostgreSQL's jsonb refuses NaN and Infinity: stored module settings with 1e999 were a 500.
    assert "finite number" in json_problem(value)


def test_finite_numbers_are_fine_in_json():
    assert json_problem({"a": 1.5, "b": -1e308, "c": 10**30}) is None


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', "[-Infinity]", '{"a": 1e999}', "-1e400"])
def test_read_json_refuses_what_json_does_not_have(text):
    from clientpanel.core.json_text import read_json

    with pytest.raises(ValueError):
        read_json(text)
    assert read_json('{"a": 1e308}') == {"a": 1e308}


@pytest.mark.parametrize("value", ["", "   ", "\u00a0\u3000", "Acme", "\u200bAcme", "Ż", "🙂"])
def test_text_that_is_empty_or_shows_something_has_no_visible_problem(value):
    # Empty text is each caller's own "enter …" (or fine where the field is optional).
    assert visible_problem(value) is None and visible_problem(value, label="Name", required=True) is None


@pytest.mark.parametrize("value", ["\u200b", "\u2060\u200d", "\ufeff", " \u200b\ufeff "])
def test_text_that_shows_nothing_is_refused_in_one_wording(value):
    assert visible_problem(value) == "Shows no visible character; type it, or leave it empty."
    assert visible_problem(value, required=True) == "Shows no visible character; type it."
    assert visible_problem(value, label="City") == "City shows no visible character; type it, or leave it empty."
    assert visible_problem(value, label="Name", required=True) == "Name shows no visible character; type it."
