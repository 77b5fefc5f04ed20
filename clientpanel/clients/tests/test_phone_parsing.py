"""parse_international answers what phonenumbers.parse answers, or None (then parse is asked), and
is_valid_number what phonenumbers.is_valid_number answers: over every example number of every
region and kind, spelled several ways (valid and not), and over random text."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpanel.clients.phone_parsing import is_valid_number, parse_international
from clientpanel.clients.validation import clean_phone


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None


def _spellings(number: phonenumbers.PhoneNumber) -> list[str]:
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    code, _space, rest = international.partition(" ")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = "".join(ch for ch in national if ch.isdigit())
    return [international, e164, international.replace(" ", "-"), international.replace(" ", "."),
            f"{code} ({rest[:3]}) {rest[3:]}", f"{code}/{rest}", e164 + "0", e164[:-1],
            f"{code} {digits}",  # with the national prefix (+44 020…): parse drops it where it must
            f"{code} (0){rest}"]


def _examples() -> list[phonenumbers.PhoneNumber]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(11):  # every PhoneNumberType with examples
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.append(example)
    return found


def test_every_example_number_in_every_spelling_parses_as_phonenumbers_parses_it():
    compared = answered = 0
    for example in _examples():
        for text in _spellings(example):
            fast = parse_international(text)
            compared += 1
            if fast is not None:
                answered += 1
                assert fast == _parse(text), text
    assert compared > 10_000 and answered > compared * 0.9  # the fast way answers nearly all of them


@pytest.mark.parametrize("text", ["+48 22 123 45 67 ext. 12", "+48 22 123 45 67#12", "+(48) 22 123 45 67",
                                  "+0 22 123", "+999 123 456", "+4", "+48 2", "0048 22 123 45 67",
                                  "+48 22 123 45 67 89 01 23 45 67", "+４８ 22 123 45 67", "+48 22 123\n45 67"])
def test_other_shapes_are_left_to_phonenumbers(text):
    assert parse_international(text) is None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="+0123456789 ()-./", min_size=1, max_size=24))
def test_random_text_parses_as_phonenumbers_parses_it_or_is_left_to_it(text):
    fast = parse_international(text)
    if fast is not None:
        assert fast == _parse(text)


def test_clean_phone_still_refuses_and_stores_e164():
    assert clean_phone("+44 (0)20 7946 0958") == "+442079460958"
    assert clean_phone("+48 22-123-45-67") == "+48221234567"
    assert clean_phone("22 123 45 67", "PL") == "+48221234567"
    for wrong in ("+999 123 456", "+48 2", "+1 555"):
        with pytest.raises(Exception, match="phone number"):
            clean_phone(wrong)


def test_validity_is_the_librarys_for_every_example_number_in_every_spelling():
    valid = invalid = 0
    for example in _examples():
        for text in _spellings(example):
            number = _parse(text)
            if number is None:
                continue
            expected = phonenumbers.is_valid_number(number)
            assert is_valid_number(number) == expected, text
            valid, invalid = valid + expected, invalid + (not expected)
    assert valid > 5_000 and invalid > 2_000  # both answers were asked for


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=10**15))
def test_validity_is_the_librarys_for_random_numbers(country_code, national_number):
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=national_number)
    assert is_valid_number(number) == phonenumbers.is_valid_number(number)
