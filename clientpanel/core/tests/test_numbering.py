import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from clientpanel.core.models import NumberSequence
from clientpanel.core.numbering import format_number, sequence_next, validate_pattern


def test_format_number_fills_every_placeholder():
    on = dt.date(2026, 3, 7)
    assert format_number("{NUMBER:4}", 1, on) == "0001"
    assert format_number("INV/{YEAR}/{MONTH}/{NUMBER}", 39, on) == "INV/2026/03/39"
    assert format_number("{YEAR}{MONTH}{DAY}-{NUMBER:3}", 5, on) == "20260307-005"
    assert format_number("{NUMBER:2}", 12345, on) == "12345"


@pytest.mark.parametrize("pattern", ["INV/{YEAR}", "{NUMBER}/{WEEK}", "X{NUMBER:4"])
def test_validate_pattern_refuses_patterns_without_number_or_unknown_tokens(pattern):
    with pytest.raises(ValueError):
        validate_pattern(pattern)


@pytest.mark.parametrize("pattern", ['INV"{NUMBER}', "INV'{NUMBER}", "INV/{NUMBER}\nX", "INV\r\n{NUMBER}",
                                     "INV\\{NUMBER}", "<{NUMBER}>", "A`{NUMBER}", "INV\x00{NUMBER}", "\ud800{NUMBER}"])
def test_validate_pattern_refuses_quotes_line_breaks_and_control_characters(pattern):
    # A number goes into PDFs, file names and Content-Disposition headers (issue 9).
    with pytest.raises(ValueError, match="cannot contain"):
        validate_pattern(pattern)


@pytest.mark.parametrize("pattern", ["FV/{YEAR}/{MONTH}/{NUMBER}", "INV-{NUMBER:6}", "N° {NUMBER} #{YEAR}.{DAY}"])
def test_validate_pattern_keeps_the_usual_separators(pattern):
    validate_pattern(pattern)


@pytest.mark.django_db
def test_sequence_counts_from_one_and_rollback_returns_the_number():
    with transaction.atomic():
        assert sequence_next(key="t") == 1
        assert sequence_next(key="t") == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(key="t") == 3
        raise RuntimeError("roll back")
    with transaction.atomic():
        assert sequence_next(key="t") == 3
    with transaction.atomic():
        assert sequence_next(key="t", period="2026-11") == 1


@pytest.mark.django_db(transaction=True)
def test_sequence_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside transaction"):
        sequence_next(key="t")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_unique_gap_free_numbers():
    results: list[int] = []
    lock = threading.Lock()

    def writer():
        try:
            for _ in range(25):
                with transaction.atomic():
                    number = sequence_next(key="concurrent")
                with lock:
                    results.append(number)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 201))
    assert NumberSequence.objects.get(key="concurrent").last_value == 200


@pytest.mark.django_db
def test_a_number_taken_as_the_period_ends_is_given_back_and_the_next_period_numbered(monkeypatch):
    """The clock crosses into the next period between choosing the counter and holding it: the
    old period's number goes back, so both series stay gap-free."""
    from django.utils import timezone

    from clientpanel.core.numbering import sequence_next_dated

    moments = iter([dt.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
                    dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)])
    monkeypatch.setattr(timezone, "now", lambda: next(moments))
    with transaction.atomic():
        NumberSequence.objects.create(key="doc", period="2026-11", last_value=41)
        number, moment = sequence_next_dated(key="doc", period_of=lambda m: f"{m:%Y-%m}")
    assert (number, moment.month) == (1, 12)
    assert dict(NumberSequence.objects.filter(key="doc").values_list("period", "last_value")) == {
        "2026-11": 41, "2026-12": 1}
