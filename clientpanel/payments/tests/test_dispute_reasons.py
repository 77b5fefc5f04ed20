from django.utils import translation

from clientpanel.payments.dispute_reasons import DISPUTE_REASONS, dispute_reason_label


def test_a_dispute_reason_reads_in_the_readers_language_and_an_unknown_one_as_written():
    with translation.override("en"):
        english = {code: dispute_reason_label(code) for code in DISPUTE_REASONS}
    with translation.override("pl"):
        polish = {code: dispute_reason_label(code) for code in DISPUTE_REASONS}
        assert polish["product_not_received"] == "nie otrzymano produktu"
        assert dispute_reason_label("noticed_by_the_bank") == "noticed by the bank"
    assert [code for code in DISPUTE_REASONS if polish[code] == english[code]] == []  # each one translated
    assert english["unrecognized"] == "payment not recognised"
