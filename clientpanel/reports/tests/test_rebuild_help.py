"""The rebuild command says what it does to the tax-currency figures of documents without a kept
e-invoice rate: they are converted again at the rate entered now (docs/decisions.md)."""

from clientpanel.reports.management.commands.rebuild_report_rollups import Command


def test_the_rebuild_help_says_documents_without_a_kept_rate_are_converted_again():
    assert "converted into the tax currency again at the rate entered for its day now" in Command.help
