"""phonenumbers.parse for the shape nearly every stored or imported number has — "+", the country
code and the digits, with spaces, dots, dashes, slashes or brackets between them — in a quarter of
the time, and phonenumbers.is_valid_number in half. A CSV import checks a phone number on every
row, and the library's general paths (extensions, RFC 3966, vanity letters, national formats; the
kind of number) were a quarter of the import's cleaning.

The steps are the library's own for such input, made with its own helpers, which are phonenumbers'
private functions: the version is pinned (pyproject.toml), and tests/test_phone_parsing.py compares
the two over every example number of every region in several spellings, and over random text.
Anything else — another shape, a country code that does not exist, too few or too many digits —
answers None, and the caller asks parse, which also words the refusal."""

from __future__ import annotations

import re

from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers import phonenumberutil as util

_INTERNATIONAL = re.compile(r"\+[1-9][0-9 ().\-/]*")  # ASCII digits only: parse also reads others
_NOT_DIGIT = re.compile(r"[^0-9]")
# Where parse keeps the national number as given rather than without its national prefix.
_PREFIX_KEPT = (util.ValidationResult.TOO_SHORT, util.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                util.ValidationResult.INVALID_LENGTH)


def parse_international(text: str) -> PhoneNumber | None:
    """What phonenumbers.parse(text) answers for a number written "+<country code><digits>", or
    None when the text is not written so or parse would refuse it."""
    if not _INTERNATIONAL.fullmatch(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) <= util._MIN_LENGTH_FOR_NSN:
        return None
    country_code, national = util._extract_country_code(digits)
    if not country_code or len(national) < util._MIN_LENGTH_FOR_NSN:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code,
                                                                 util.region_code_for_country_code(country_code))
    if metadata is None:
        return None
    _carrier, without_prefix, _ = util._maybe_strip_national_prefix_carrier_code(national, metadata)
    if util._test_number_length(without_prefix, metadata) not in _PREFIX_KEPT:
        national = without_prefix
    if not util._MIN_LENGTH_FOR_NSN <= len(national) <= util._MAX_LENGTH_FOR_NSN:
        return None
    number = PhoneNumber(country_code=country_code)
    util._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


def is_valid_number(number: PhoneNumber) -> bool:
    """phonenumbers.is_valid_number, asking the number's kinds most numbers are (fixed line,
    mobile) first: the library tries eight rarer kinds (premium rate, toll free, shared cost, VoIP,
    personal, pager, UAN, voicemail) before them, to name the kind. Validity is the same either way:
    the general pattern, and any kind. A country code shared by several regions (+1, +7, +44…) is
    left to the library, which first finds the region by those same patterns."""
    regions = util.COUNTRY_CODE_TO_REGION_CODE.get(number.country_code)
    if regions is None or len(regions) != 1:
        return util.is_valid_number(number)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, regions[0])
    if metadata is None:
        return False
    national = util.national_significant_number(number)
    matches = util._is_number_matching_desc
    if not matches(national, metadata.general_desc):
        return False
    return (matches(national, metadata.fixed_line)
            or (not metadata.same_mobile_and_fixed_line_pattern and matches(national, metadata.mobile))
            or any(matches(national, kind) for kind in (
                metadata.premium_rate, metadata.toll_free, metadata.shared_cost, metadata.voip,
                metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail)))
