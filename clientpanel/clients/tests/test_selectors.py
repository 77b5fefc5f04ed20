import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientpanel.clients.models import Client, ClientBalance
from clientpanel.clients.selectors import (
    CLIENT_SORTS,
    client_directory,
    client_directory_rows,
    client_get,
    client_sort,
    parse_sort,
)
from clientpanel.clients.services import client_create
from clientpanel.core import pagination
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.sorting import sort_of
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(make_client):
    made = [
        make_client(email="puqcloud@example.com", firstname="Ruslan", lastname="Polovyi",
                    company_name="My company name", tax_id="PL5260250995", status="ACTIVE"),
        make_client(email="i.mann@example.org", firstname="Isac", lastname="Mann", company_name="Zenith Systems",
                    billing_address={"country": "IE", "city": "Dublin", "region": ""}),
        make_client(email="t.ruecker@example.net", firstname="Tristan", lastname="Ruecker", phone="+1 416 555 0199",
                    billing_address={"country": "CA", "city": "Toronto", "region": "Ontario"}, status="NEW"),
        make_client(email="zoe@example.com", firstname="Zoe", lastname="Labadie", credit_limit="100",
                    billing_address={"country": "US", "city": "Austin", "region": "Texas"}, status="ACTIVE"),
    ]
    ClientBalance.objects.filter(pk=made[0].pk).update(balance=Decimal("-135925.9536"))
    ClientBalance.objects.filter(pk=made[3].pk).update(balance=Decimal("1000"))
    return made


def names(page):
    return [c.display_name for c in page.results]


@pytest.mark.parametrize("term, expected", [
    ("zenith", ["Zenith Systems"]), ("ZENITH sys", ["Zenith Systems"]), ("puqcloud@", ["My company name"]),
    ("5260250995", ["My company name"]), ("0003", ["Tristan Ruecker"]), ("4165550199", ["Tristan Ruecker"]),
    ("labadie", ["Zoe Labadie"]), ("nobody-here", []),
])
def test_search_covers_name_company_email_tax_id_number_phone(staff, directory, term, expected):
    assert names(client_directory(actor=staff, search=term)) == expected


def test_filters_by_status_and_country(staff, directory):
    assert sorted(names(client_directory(actor=staff, status="active"))) == ["My company name", "Zoe Labadie"]
    assert names(client_directory(actor=staff, country="ca")) == ["Tristan Ruecker"]
    with pytest.raises(ValidationFailed):
        client_directory(actor=staff, status="SLEEPING")


@pytest.mark.parametrize("sort", sorted(CLIENT_SORTS))
def test_every_column_sorts_both_ways(staff, directory, sort):
    up = client_directory(actor=staff, sort=sort).results
    down = client_directory(actor=staff, sort=f"-{sort}").results
    assert [c.pk for c in up] == [c.pk for c in reversed(down)]
    key = {"owner_email": lambda c: c.owner.email, "located": lambda c: (c.billing_country, c.billing_city),
           "balance": lambda c: (c.currency, c.balance)}.get(sort, lambda c: getattr(c, sort))
    assert [key(c) for c in up] == sorted(key(c) for c in up)


def test_balance_sort_orders_by_amount(staff, directory):
    assert names(client_directory(actor=staff, sort="balance"))[0] == "My company name"
    assert names(client_directory(actor=staff, sort="-balance"))[0] == "Zoe Labadie"


@pytest.fixture
def two_currencies(make_client):
    """Balances of two currencies that interleave when read as bare numbers."""
    made = {}
    for name, currency, balance in [("EUR 100", "EUR", "100"), ("PLN 50", "PLN", "50"), ("EUR -20", "EUR", "-20"),
                                    ("PLN 100", "PLN", "100"), ("EUR 75", "EUR", "75"), ("PLN -300", "PLN", "-300")]:
        made[name] = make_client(company_name=name, currency=currency)
        ClientBalance.objects.filter(pk=made[name].pk).update(balance=Decimal(balance))
    return made


ASCENDING = ["EUR -20", "EUR 75", "EUR 100", "PLN -300", "PLN 50", "PLN 100"]


@pytest.mark.parametrize("sort, expected", [("balance", ASCENDING), ("-balance", ASCENDING[::-1])])
def test_balance_sort_keeps_each_currency_together(staff, two_currencies, sort, expected):
    assert names(client_directory(actor=staff, sort=sort)) == expected
    assert names(client_directory(actor=staff, sort=sort, page=1, page_size=50)) == expected
    # Page by page through the keyset cursor the order is the same, across the currencies' border.
    walked, cursor = [], None
    while True:
        page = client_directory(actor=staff, sort=sort, page_size=2, cursor=cursor)
        walked += names(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert walked == expected


@pytest.mark.parametrize("sort, expected", [("balance", ASCENDING), ("-balance", ASCENDING[::-1])])
def test_the_api_sorts_balances_by_currency_first(api, two_currencies, sort, expected):
    body = api.get("/clients", sort=sort, page_size=50).json()
    assert [c["company_name"] for c in body["results"]] == expected


def test_the_staff_directory_sorts_balances_by_currency_first(staff_client, two_currencies):
    from django.urls import reverse

    page = staff_client.get(reverse("backoffice:client-list"), {"sort": "-balance"}).content.decode()
    positions = [page.index(f">{name}<") for name in ASCENDING[::-1]]
    assert positions == sorted(positions)


@pytest.mark.postgres
@pytest.mark.parametrize("sort", ["balance", "-balance"])
def test_the_balance_sort_reads_the_currency_balance_index_without_sorting(staff, two_currencies, sort):
    """At a million clients a sort node would read every row: the page must come off the balance
    rows' sort index, each client then fetched by key."""
    rows = client_directory(actor=staff, sort=sort, page_size=2)
    ordering = [f"-{f}" if sort.startswith("-") else f for f in [*CLIENT_SORTS["balance"], "id"]]
    query = client_directory_rows(actor=staff, sort=sort).order_by(*ordering).values_list("id", flat=True)[:2]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = query.explain()
    assert "client_balance_sort_idx" in plan and " Sort " not in f" {plan} ", plan
    assert rows.next_cursor


def test_unknown_sort_is_refused(staff, directory):
    with pytest.raises(ValidationFailed) as failure:
        client_directory(actor=staff, sort="password")
    assert "sort" in failure.value.fields


@pytest.mark.parametrize(("asked", "named"), [
    ("", ("created_at", True)), (None, ("created_at", True)), ("  ", ("created_at", True)),
    ("owner", ("owner_email", False)), ("-client", ("display_name", True)), ("--country", ("located", True)),
    (" -created ", ("created_at", True)), ("balance", ("balance", False)),
])
def test_the_directory_reads_its_sort_as_every_list_does_its_aliases_named(asked, named):
    """core.sorting.sort_of reads it (one parser for every list); an alias names its sort."""
    assert parse_sort(asked) == named
    order = client_sort(asked)
    assert (order.key, order.descending) == named and order.fields == tuple(CLIENT_SORTS[named[0]])


@pytest.mark.parametrize("asked", ["password", "-id", "x" * 500, "-"])
def test_an_unknown_directory_sort_says_so_as_every_list_does(staff, asked):
    with pytest.raises(ValidationFailed) as failure:
        client_directory(actor=staff, sort=asked)
    with pytest.raises(ValidationFailed) as every_list:
        sort_of(asked, CLIENT_SORTS, default="-created_at")
    assert (failure.value.message, failure.value.fields) == (every_list.value.message, every_list.value.fields)
    assert failure.value.fields == {"sort": [f"Use one of {', '.join(CLIENT_SORTS)}, with - for descending."]}
    assert len(failure.value.message) < 70  # the name asked for is cut short, not repeated whole


@pytest.mark.parametrize("sort", ["-created_at", "display_name", "balance", "-located", "owner_email"])
def test_keyset_pages_walk_every_client_once_forwards_and_back(staff, make_client, sort):
    for i in range(23):
        make_client(company_name=f"Firm {i % 5}", billing_address={"city": f"City {i % 3}"})
    seen, pages, cursor = [], [], None
    while True:
        page = client_directory(actor=staff, sort=sort, page_size=5, cursor=cursor)
        pages.append(page)
        seen += [c.pk for c in page.results]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 23
    assert seen == [c.pk for c in client_directory(actor=staff, sort=sort, page_size=100).results]
    back = client_directory(actor=staff, sort=sort, page_size=5, cursor=pages[-1].previous_cursor)
    assert [c.pk for c in back.results] == [c.pk for c in pages[-2].results]


def test_page_numbers_match_keyset_order(staff, make_client):
    for _ in range(7):
        make_client()
    all_ids = [c.pk for c in client_directory(actor=staff, page_size=100).results]
    assert [c.pk for c in client_directory(actor=staff, page=2, page_size=3).results] == all_ids[3:6]


def test_count_is_capped(staff, make_client, monkeypatch):
    for _ in range(4):
        make_client()
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page = client_directory(actor=staff, page_size=2)
    assert (page.count, page.count_capped) == (3, True)
    assert (client_directory(actor=staff, page=1, page_size=2).count_capped,
            client_directory(actor=staff, cursor=page.next_cursor, page_size=2).count_capped) == (True, True)
    assert pagination.capped_count(Client.objects.all(), cap=3) == (3, True)
    assert pagination.capped_count(Client.objects.all(), cap=10) == (4, False)


@pytest.mark.parametrize("paging", [{}, {"page": 1}])
def test_a_first_page_holding_every_match_is_the_count_without_counting(staff, make_client, paging):
    """A narrow search's page is all there is: its length is the count, and the second search a
    COUNT would make (a trigram scan at a million clients) is not made."""
    made = [make_client() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        page = client_directory(actor=staff, search=made[1].number, **paging)
    assert (page.count, page.count_capped, [c.pk for c in page.results]) == (1, False, [made[1].pk])
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    empty = client_directory(actor=staff, search="no-such-client-anywhere", **paging)
    assert (empty.count, empty.count_capped, empty.results) == (0, False, [])
    full = client_directory(actor=staff, page_size=3, **paging)  # a full first page may have more after it
    assert (full.count, len(full.results)) == (3, 3)


def test_garbage_cursor_is_a_clear_error(staff, directory):
    with pytest.raises(ValidationFailed, match="cursor"):
        client_directory(actor=staff, cursor="not-a-cursor")


def test_non_staff_see_no_clients(directory):
    owner = directory[0].owner
    assert client_directory(actor=owner).results == []
    with pytest.raises(NotFound):
        client_get(actor=owner, client_id=directory[0].pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_client_creation_numbers_are_unique_and_gap_free():
    errors = []

    def create(index):
        try:
            client_create(actor=None, data=client_data(email=f"concurrent{index}@example.com"))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Client.objects.values_list("number", flat=True))
    assert numbers == [f"{i:04d}" for i in range(1, 17)]
