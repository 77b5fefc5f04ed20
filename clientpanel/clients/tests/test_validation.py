import pytest
from django.test import override_settings
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from clientpanel.clients.validation import (
    FieldInvalid,
    clean_country,
    clean_currency,
    clean_language,
    clean_phone,
    clean_region,
    clean_tax_id,
)
from clientpanel.clients.validation import _eu_vat_validate as eu_vat_validate_at_once


@pytest.mark.parametrize("raw, country, stored", [
    ("PL5260250995", "PL", "PL5260250995"),
    ("526-025-09-95", "PL", "PL5260250995"),     # national form gets the prefix
    ("pl 526 025 09 95", "PL", "PL5260250995"),
    ("DE136695976", "DE", "DE136695976"),
    ("EL094259216", "GR", "EL094259216"),        # Greece's VAT prefix is EL
    ("123456782", "CA", "123456782"),            # Canadian BN
    ("123456782RT0001", "CA", "123456782RT0001"),  # BN15 (GST/HST account)
    ("51 824 753 556", "AU", "51824753556"),     # Australian ABN
    ("12-3456789", "US", "12-3456789"),          # no validator: kept as entered
])
def test_tax_id_is_validated_for_the_billing_country_and_normalised(raw, country, stored):
    assert clean_tax_id(raw, country) == stored


def _outcome(validate, number):
    try:
        return validate(number)
    except ValidationError as error:
        return type(error)


_PREFIXES = sorted({cc.upper() for cc in eu_vat.MEMBER_STATES} | {"EL", "GR", "XI", "EU", "US", "P1"})


@settings(max_examples=1000, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES),
       body=st.text(alphabet="0123456789" * 6 + "ABHKLMNPQRSTUVXYZ aé-.·–/", min_size=0, max_size=14))
@example(prefix="PL", body="5260250995")
@example(prefix="DE", body="136695976")
@example(prefix="EL", body="094259216")
@example(prefix="NL", body="004495445B01")
@example(prefix="FR", body="40303265045")
@example(prefix="XI", body="980780684")
@example(prefix="AT", body="U13585627")
def test_eu_vat_numbers_sent_to_their_country_at_once_are_answered_as_stdnum_answers(prefix, body):
    # The fast path skips stdnum's clean() for plain upper-case text; the answer (the number, or
    # the kind of refusal) must be validate()'s for every text, plain or not.
    number = (prefix + body).upper()
    assert _outcome(eu_vat_validate_at_once, number) == _outcome(eu_vat.validate, number)


@pytest.mark.parametrize("stored, country", [
    ("PL5260250995", "PL"), ("DE136695976", "DE"), ("EL094259216", "GR"), ("NL004495445B01", "NL"),
    ("FR40303265045", "FR"), ("ATU13585627", "AT"),
])
def test_a_vat_number_is_stored_the_same_however_it_is_spelt(stored, country):
    # Plain letters and digits skip stdnum's clean(); spaces, dots, dashes, Unicode dashes and
    # lower case go through it: every spelling is stored as the same number.
    body = stored[2:]
    spellings = [stored, stored.lower(), body, body.lower(), f"{stored[:2]} {body}", f"{stored[:2]}-{body}",
                 f"{body[:3]}.{body[3:6]}.{body[6:]}", f"{body[:3]}\u2013{body[3:]}", f" {stored} "]
    assert {clean_tax_id(raw, country) for raw in spellings} == {stored}


@pytest.mark.parametrize("raw, country, reason", [
    ("PL5260250996", "PL", "check digit is wrong"),
    ("PL52602509", "PL", "wrong number of characters"),
    ("DE136695976", "PL", "belongs to another country"),
    ("123456789", "CA", "check digit"),
])
def test_invalid_tax_id_says_why(raw, country, reason):
    with pytest.raises(FieldInvalid, match=reason):
        clean_tax_id(raw, country)


def test_phone_is_stored_as_e164_and_nonsense_is_refused():
    assert clean_phone("+48 22 123 45 67") == "+48221234567"
    assert clean_phone("22 123 45 67", "PL") == "+48221234567"
    with pytest.raises(FieldInvalid, match="country code"):
        clean_phone("12345")
    with pytest.raises(FieldInvalid, match="does not exist"):
        clean_phone("+48 123")


def test_country_must_be_iso_3166():
    assert clean_country("pl") == "PL"
    with pytest.raises(FieldInvalid, match="Unknown country"):
        clean_country("XX")
    with pytest.raises(FieldInvalid, match="required"):
        clean_country("")


@pytest.mark.parametrize("raw", ["Mazowieckie", "mazowieckie", "PL-14", "14"])
def test_region_matches_subdivision_by_code_or_name(raw):
    assert clean_region(raw, "PL") == "PL-14"


def test_region_matches_names_without_accents():
    assert clean_region("Malopolskie", "PL") == "PL-12"


def test_region_not_in_country_is_refused_and_free_text_where_no_subdivisions():
    with pytest.raises(FieldInvalid, match="not a state or region of Poland"):
        clean_region("Bavaria", "PL")
    assert clean_region("The Valley", "AI") == "The Valley"  # Anguilla has no ISO subdivisions


def test_default_enabled_currencies_and_languages():
    for code in ["USD", "EUR", "PLN", "GBP", "CAD"]:
        assert clean_currency(code.lower()) == code
    assert clean_language("EN") == "en" and clean_language("pl") == "pl"
    with pytest.raises(FieldInvalid, match=r"^Currency JPY is not enabled; choose one of USD, EUR, PLN, GBP, CAD\.$"):
        clean_currency(" jpy ")
    with pytest.raises(FieldInvalid, match=r"^Language de is not enabled; choose one of en, pl\.$"):
        clean_language("DE")


@override_settings(CLIENTPANEL_CURRENCIES=["JPY"], CLIENTPANEL_LANGUAGES=["de"])
def test_settings_change_the_enabled_lists():
    assert clean_currency("JPY") == "JPY"
    assert clean_language("de") == "de"
    with pytest.raises(FieldInvalid):
        clean_currency("USD")
