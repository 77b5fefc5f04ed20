"""The VIES adapter against a real local HTTP server standing in for the EU service."""

import time

from clientpanel.tax.vies import check_vat


def test_adapter_answers_valid_invalid_and_error(vies):
    vies.answers = {"PL5260250995": {"valid": True}, "DE136695976": {"valid": False},
                    "FR40303265045": "boom", "IT00743110157": {"actionSucceed": False, "errorWrappers": []}}
    assert check_vat("PL5260250995") == "VALID"
    assert vies.seen[0] == {"countryCode": "PL", "vatNumber": "5260250995"}
    assert check_vat("DE136695976") == "INVALID"
    assert check_vat("FR40303265045") == "ERROR"
    assert check_vat("IT00743110157") == "ERROR"


def test_a_hanging_service_times_out_as_error(vies):
    vies.answers = {"PL5260250995": "hang"}
    started = time.monotonic()
    assert check_vat("PL5260250995") == "ERROR"
    assert time.monotonic() - started < 2.5


def test_numbers_too_short_or_without_a_country_prefix_are_invalid_without_asking(vies):
    assert check_vat("PL1") == "INVALID" and check_vat("1234567890") == "INVALID" and check_vat("") == "INVALID"
    assert vies.seen == []


def test_spaces_and_lower_case_are_tidied_before_asking(vies):
    vies.answers = {"PL5260250995": {"valid": True}}
    assert check_vat("pl 526 025 09 95") == "VALID"
    assert vies.seen == [{"countryCode": "PL", "vatNumber": "5260250995"}]


def test_an_answer_that_is_not_json_is_an_error(vies):
    vies.answers = {"PL5260250995": b"<html>Service unavailable</html>"}
    assert check_vat("PL5260250995") == "ERROR"


def test_json_that_is_not_an_object_is_an_error_not_a_crash(vies):
    vies.answers = {"PL5260250995": b"[]", "DE136695976": b'"valid"', "FR40303265045": b"null"}
    assert [check_vat(n) for n in ("PL5260250995", "DE136695976", "FR40303265045")] == ["ERROR"] * 3
