"""The directory's search: a word's dense trigrams are left out of what the trigram index reads,
and the answer stays the same rows; a common search's count comes from the planner's estimate."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientpanel.clients.models import Address, AddressType, Client, SearchTrigram
from clientpanel.clients.selectors import client_directory
from clientpanel.clients.selectors.search import dense_trigrams, dense_trigrams_forget, rare_runs
from clientpanel.clients.services import job_measure_search_trigrams, search_statistics, search_trigrams_measure
from clientpanel.core import pagination


@pytest.mark.parametrize("word, dense, runs", [
    ("user0123456", {"use", "ser", "er0"}, ["r0123456"]),
    ("abcdef", {"cde"}, ["abcd", "def"]),
    ("abcdef", {"xyz"}, None),            # no dense trigram: the whole word is read
    ("example", {"exa", "xam", "amp", "mpl", "ple"}, []),  # nothing but dense ones
    ("jan.user@acme", {"use", "ser"}, ["jan", "acme"]),  # separators end pg_trgm's words
    ("ab", {"ab "}, None),                 # too short for a trigram
    ("zażółć", {"aż"}, None),
])
def test_a_word_is_read_from_the_index_by_its_runs_of_rare_trigrams(word, dense, runs):
    assert rare_runs(word, frozenset(dense)) == runs


@pytest.fixture
def people(make_client):
    return [
        make_client(email="user0123456.nowak@example.com", firstname="Anna", lastname="Nowak",
                    company_name="Zenith Hosting"),
        make_client(email="user0123457.mann@example.com", firstname="Isac", lastname="Mann", company_name=""),
        make_client(email="jan.user@acme.example", firstname="Jan", lastname="Kowalski",
                    company_name="Acme Examples"),
        make_client(email="zoe@sample.org", firstname="Zoe", lastname="Labadie", company_name="Userland Labs"),
    ]


@pytest.fixture
def dense_email_trigrams(db):
    now = timezone.now()
    SearchTrigram.objects.bulk_create([SearchTrigram(trigram=t, per_mille=900, measured_at=now)
                                       for t in ["use", "ser", "er0", "exa", "xam", "amp", "mpl", "ple", "com"]])
    SearchTrigram.objects.create(trigram="  z", per_mille=10, measured_at=now)  # measured, but not dense
    dense_trigrams_forget()
    yield
    dense_trigrams_forget()


TERMS = ["user0123456", "user012345", "user", "example.com", "0123457.mann@exa", "jan.user@acme", "userland",
         "ser0", "zenith host", "nowak@example", "examples", "r01234", "nobody0123456"]


@pytest.mark.django_db
@pytest.mark.parametrize("term", TERMS)
def test_leaving_dense_trigrams_out_finds_the_same_clients(staff, people, dense_email_trigrams, term):
    expected = Client.objects.all()
    for word in term.lower().split():
        expected = expected.filter(search_text__contains=word)
    found = client_directory(actor=staff, search=term)
    assert sorted(c.pk for c in found.results) == sorted(expected.values_list("pk", flat=True))
    assert dense_trigrams() == {"use", "ser", "er0", "exa", "xam", "amp", "mpl", "ple", "com"}


@pytest.mark.django_db
def test_the_index_is_not_asked_for_dense_trigrams(staff, people, dense_email_trigrams):
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, search="user0123456")
    assert [c.pk for c in page.results] == [people[0].pk]
    page_query = next(q["sql"] for q in queries.captured_queries if "search_text" in q["sql"])
    assert "%r0123456%" in page_query and "%user0123456%" not in page_query
    assert ("STRPOS" if connection.vendor == "postgresql" else "INSTR") in page_query.upper()


@pytest.mark.postgres
@pytest.mark.django_db
def test_measuring_keeps_the_trigrams_most_clients_hold(people, make_client):
    for _ in range(10):
        make_client()  # owner{n}@example.com
    now = timezone.now()
    assert search_trigrams_measure(now=now) > 0
    shares = dict(SearchTrigram.objects.values_list("trigram", "per_mille"))
    # 'exa' in 13 of the 14 clients (not zoe@sample.org), 'use' in 4 ('user…', 'jan.user', 'Userland').
    assert (shares["exa"], shares["use"]) == (928, 285)
    assert "now" not in shares  # 'Nowak', one client in 14: below the 20 % that is dense
    assert "exa" in dense_trigrams() and "now" not in dense_trigrams()
    assert set(SearchTrigram.objects.values_list("measured_at", flat=True)) == {now}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_job_measures_once_a_day_and_only_with_many_clients(people, monkeypatch):
    now = timezone.now()
    assert job_measure_search_trigrams(now=now) == {"measured": 0}  # a handful of clients
    monkeypatch.setattr(search_statistics, "MEASURE_FROM", -1)
    assert job_measure_search_trigrams(now=now)["measured"] == 1
    assert job_measure_search_trigrams(now=now + dt.timedelta(hours=23)) == {"measured": 0}
    assert job_measure_search_trigrams(now=now + dt.timedelta(hours=25))["measured"] == 1
    monkeypatch.setattr(search_statistics, "MEASURE_FROM", 10**9)
    job_measure_search_trigrams(now=now + dt.timedelta(days=3))
    assert not SearchTrigram.objects.exists() and dense_trigrams() == frozenset()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_search_the_planner_puts_far_beyond_the_cap_is_not_counted(staff, make_client, monkeypatch):
    for index in range(60):
        make_client(company_name=f"Zenith Works {index}", status="NEW")
    make_client(company_name="Other", status="NEW")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
    pagination.table_rows_forget()
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, search="zenith", page_size=5)
    assert (page.count, page.count_capped) == (2, True)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # Many matches: the page walks the sort's index (ORDER BY the column itself).
    assert not [q for q in queries.captured_queries if "COALESCE" in q["sql"]]
    # Filters beside the search are counted: the planner multiplies selectivities it cannot know.
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, search="zenith", status="NEW", page_size=5)
    assert (page.count, page.count_capped) == (2, True)
    assert [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # Two words: the planner multiplies their estimates as if independent, so they are counted.
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, search="zenith works", page_size=5)
    assert (page.count, page.count_capped) == (2, True)
    assert [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # A rare word is counted exactly, and its matches are collected and sorted: the page is not
    # picked by walking the newest-first index past every client that does not match.
    with CaptureQueriesContext(connection) as queries:
        assert client_directory(actor=staff, search="other", page_size=5).count == 1
        assert client_directory(actor=staff, search="other", page=1, page_size=5).count == 1
    picks = [q["sql"] for q in queries.captured_queries if "search_text" in q["sql"] and "EXPLAIN" not in q["sql"]]
    assert len(picks) == 2 and all('ORDER BY COALESCE("clients_client"."created_at"' in sql
                                   or 'COALESCE(U0."created_at", U0."created_at") DESC' in sql for sql in picks), picks
    assert pagination.capped_count(Client.objects.filter(company_name="Other"), trust_estimate=True) == (1, False)
    # Every client: the table's size as ANALYZE measured it, without a query.
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, page_size=5)
    assert (page.count, page.count_capped) == (2, True)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper() or "EXPLAIN" in q["sql"]]


@pytest.mark.django_db
def test_the_api_lists_a_client_that_has_no_billing_address(api, make_client):
    made = make_client()
    Address.objects.filter(client=made, type=AddressType.BILLING).delete()
    response = api.get("/clients", search=made.number)
    assert response.status_code == 200, response.content
    assert [(row["id"], row["billing_address"]) for row in response.json()["results"]] == [(str(made.pk), None)]
