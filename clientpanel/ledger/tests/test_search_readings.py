"""Where a search word lies in the wording of what the system writes, in the reader's language:
in the fixed text (every entry of the code shows it), inside a parameter, or across both; and an
amount's piece as the reader types it, as the stored text has it."""

import pytest
from django.utils import translation

from clientpanel.core.wording import parts, placements
from clientpanel.ledger.descriptions import (
    NAMED_WORDING,
    PAYMENT,
    SERVICE_PERIOD,
    SERVICE_SETUP,
    amount_digits,
    readings,
)


def test_a_word_lies_in_the_fixed_text_a_parameter_or_across_both():
    monthly = parts("%(name)s, %(period)s × %(amount)s", period="1 miesiąc")
    assert monthly == (("name", ""), (None, ", 1 miesiąc × "), ("amount", ""))
    assert placements(monthly, "MIESIĄC") == ((),)  # the fixed text holds it, case aside
    assert placements(monthly, "D4E0GV,") == ((("amount", "D4E0GV,"),), (("name", "D4E0GV"),), (("name", "D4E0GV,"),))
    assert placements(monthly, "10,00") == ((("amount", "10,00"),), (("name", "10,00"),))
    assert placements(parts("Płatność za %(number)s"), "za") == ((),)
    assert placements(parts("Payment for %(number)s"), "for PRO") == ((("number", "PRO"),), (("number", "for PRO"),))
    assert placements(parts("Payment for %(number)s"), "forPRO") == ((("number", "forPRO"),),)  # not the wording's
    assert placements(parts("100%% paid"), "100%") == ((),)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_readings_name_the_codes_the_reader_sees_the_word_in(language):
    with translation.override(language):
        payment = {r.code: r for r in readings("Płatność" if language == "pl" else "payment", named=True)}
        assert payment[PAYMENT].ways == ((),) and payment[PAYMENT].named is None
        fee = [r for r in readings("instalacyjna" if language == "pl" else "setup", named=True) if r.ways == ((),)]
        assert [(r.code, r.named) for r in fee] == [(SERVICE_SETUP, None)]  # both wordings show it: no check
        # "Usługa"/"Service:" opens the wording only where the service is gone (the others show its name).
        prefix = [r for r in readings("Usługa" if language == "pl" else "Service:", named=True) if r.ways == ((),)]
        assert {r.named for r in prefix} == {False} and len(prefix) == len(NAMED_WORDING)  # each service's code
        assert {r.named for r in readings("Usługa", named=False)} == {None}  # a list without names: all read so
        month = [r for r in readings("miesiąc" if language == "pl" else "month", named=False) if r.ways == ((),)]
        months = ("MONTHLY", "QUARTERLY", "SEMIANNUALLY") if language == "en" else ("MONTHLY", "QUARTERLY")
        assert [(r.code, r.periods) for r in month] == [(SERVICE_PERIOD, months)]  # "6 miesięcy" is no "miesiąc"
        # Entries from before the codes: the English of each period the word needs.
        assert month[0].old[0] == ((None, "Service:"), ("service", ""), (None, ", 1 month × "), ("amount", ""))


def test_an_amounts_piece_as_the_reader_types_it_reads_as_stored():
    with translation.override("pl"):
        assert amount_digits("1\xa0234,5") == "1234.5" and amount_digits("-0,92") == "-0.92"
        assert amount_digits("10.00") is None and amount_digits("10zł") is None
    with translation.override("en"):
        assert amount_digits("1,234.50") == "1234.50" and amount_digits("10,00") == "1000"
        assert amount_digits("1 234") is None
