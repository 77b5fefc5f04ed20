import re
from decimal import Decimal

from django.utils import translation

from clientpanel.core.wording import CodedText, in_reader_language, kept_params, recognised

PAYMENT = "Payment for %(number)s"  # a wording the Polish catalogue holds (ledger.descriptions)


def test_a_wording_reads_in_the_active_language_with_its_parameters_formatted():
    with translation.override("pl"):
        assert in_reader_language(PAYMENT, {"number": "FV/1"}, "Payment for FV/1") == "Płatność za FV/1"
        assert in_reader_language(PAYMENT, {"number": "7"}, "stored", {"number": lambda v: f"#{v}"}) == \
            "Płatność za #7"


def test_parameters_that_do_not_fit_the_wording_show_the_stored_text():
    assert in_reader_language(PAYMENT, {}, "as stored") == "as stored"  # a parameter missing
    assert in_reader_language(PAYMENT, None, "as stored") == "as stored"  # none kept
    assert in_reader_language(PAYMENT, ["FV/1"], "as stored") == "as stored"  # not a mapping
    assert in_reader_language(PAYMENT, {"number": "x"}, "as stored",
                              {"number": lambda v: str(Decimal(v))}) == "as stored"  # a format refusing it


def test_parameters_are_kept_as_text_and_old_rows_are_recognised_by_their_whole_english():
    assert kept_params({"amount": Decimal("10.0000"), "n": 3}) == {"amount": "10.0000", "n": "3"}
    patterns = [("payment", re.compile(r"Payment for (?P<number>.+)"))]
    assert recognised("Payment for FV/1", patterns) == ("payment", {"number": "FV/1"})
    assert recognised("A payment for FV/1", patterns) == ("", None)


def test_coded_text_is_the_plain_text_with_its_code_or_the_domains_outside_code() -> None:
    class Said(CodedText):
        outside = "theirs"

    ours = Said("Payment for P/1", "payment", {"number": "P/1"})
    assert ours == "Payment for P/1" and isinstance(ours, str)
    assert (ours.code, ours.params) == ("payment", {"number": "P/1"})
    theirs = Said("Disk full")
    assert (theirs.code, theirs.params) == ("theirs", None)
    assert Said("", "").code == ""  # an empty code is kept, not taken for "none given"
