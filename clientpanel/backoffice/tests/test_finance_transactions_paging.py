"""Finance → Transactions pages by a cursor on the entries' time-ordered key, newest first: Next
and Previous walk every entry once (entries posted in one statement share created_at), keep the
search and type, a cursor that is not this list's shows the first page with a notice (never a
500), and the count stops at the cap ("More than 1,000 transactions")."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import transaction
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.backoffice.views import transactions as views
from clientpanel.clients.services import client_create
from clientpanel.clients.services.staff import staff_assignments_set
from clientpanel.core import pagination
from clientpanel.ledger import selectors
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import entries_post_for_clients, entry_post
from conftest import client_data

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:finance-transactions")


@pytest.fixture
def ledger(monkeypatch):
    """Two clients, 13 entries, eight of them at one created_at (six posted in one batch statement);
    three pages of 5."""
    monkeypatch.setattr(views, "FINANCE_PAGE_SIZE", 5)
    first = client_create(actor=None, data=client_data(company_name="Alfa Hosting"))
    second = client_create(actor=None, data=client_data(company_name="Beta Serwis"))
    for n in range(4):
        entry_post(client_id=first.pk, type=EntryType.PAYMENT, net=Decimal(10 + n), description=f"wire {n}")
    # Posted within one stopped moment: one created_at for the six of one statement and the two after.
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), tick=False), transaction.atomic():
        entries_post_for_clients(entries_by_client={
            first.pk: [{"type": EntryType.ADJUSTMENT, "net": Decimal(n + 1), "description": f"batch {n}"}
                       for n in range(3)],
            second.pk: [{"type": EntryType.PAYMENT, "net": Decimal(n + 1), "description": f"batch {n}"}
                        for n in range(3)]})
        for n in range(2):
            entry_post(client_id=second.pk, type=EntryType.ADJUSTMENT, net=Decimal(-1), description=f"fee {n}")
    entry_post(client_id=second.pk, type=EntryType.ADJUSTMENT, net=Decimal(-1), description="fee 2")
    return first, second


def _walk(browser, url, link="next_url"):
    """The ids of every page from url on, following `link`, and the pages' contexts."""
    seen, pages = [], []
    while url:
        response = browser.get(url)
        assert response.status_code == 200
        pages.append(response.context)
        seen += [entry.pk for entry in response.context["page"].results]
        url = response.context[link] and URL + response.context[link]
    return seen, pages


def test_next_and_previous_walk_every_entry_once_newest_first(staff_client, ledger):
    posted = list(LedgerEntry.objects.order_by("created_at", "sequence", "client__company_name").values_list(
        "pk", flat=True))
    assert LedgerEntry.objects.values("created_at").distinct().count() == 13 - 7  # eight share one
    forward, pages = _walk(staff_client, URL)
    assert len(pages) == 3
    assert forward == sorted(posted, reverse=True)  # newest first, by the key
    assert len(set(forward)) == len(posted) == 13
    # The ledger's key is its creation order: the last entry posted (one by one) comes first.
    assert forward[0] == LedgerEntry.objects.get(description="fee 2").pk
    assert forward[-1] == LedgerEntry.objects.get(description="wire 0").pk
    # Back from the last page by Previous: the same pages, none skipped or repeated.
    last = pages[-1]["request"].get_full_path()
    backward, back_pages = _walk(staff_client, last, link="prev_url")
    assert [e.pk for page in reversed(back_pages) for e in page["page"].results] == forward
    assert backward == forward[10:] + forward[5:10] + forward[:5]
    assert back_pages[-1]["prev_url"] is None and back_pages[-1]["next_url"]
    assert pages[0]["first_url"] is None and pages[1]["first_url"] == "?"


def test_links_keep_the_search_and_type(staff_client, ledger):
    response = staff_client.get(URL, {"q": "batch", "type": "PAYMENT"})
    page = response.context["page"]
    assert [e.description for e in page.results] == ["batch 2", "batch 1", "batch 0"]
    assert not response.context["next_url"]
    response = staff_client.get(URL, {"type": "ADJUSTMENT"})
    found = list(LedgerEntry.objects.filter(type="ADJUSTMENT").order_by("-pk").values_list("pk", flat=True))
    walked, pages = _walk(staff_client, URL + "?type=ADJUSTMENT")
    assert walked == found and len(pages) == 2
    link = parse_qs(urlparse(pages[0]["next_url"]).query)
    assert link["type"] == ["ADJUSTMENT"] and link["cursor"]
    searched = staff_client.get(URL, {"q": "Alfa", "type": "ADJUSTMENT"}).context
    assert {e.client.company_name for e in searched["page"].results} == {"Alfa Hosting"}
    # Previous keeps them too, and the export link carries them without the cursor.
    back = staff_client.get(URL + pages[1]["prev_url"]).context
    assert parse_qs(urlparse(back["next_url"]).query)["type"] == ["ADJUSTMENT"]
    assert parse_qs(urlparse(pages[1]["prev_url"]).query)["type"] == ["ADJUSTMENT"]
    exported = parse_qs(urlparse(pages[1]["export_url"]).query)
    assert exported == {"type": ["ADJUSTMENT"]} and "cursor" not in pages[1]["export_url"]
    worded = staff_client.get(URL, {"q": "a", "type": "ADJUSTMENT"}).context
    assert parse_qs(urlparse(worded["next_url"]).query)["q"] == ["a"]


@pytest.mark.parametrize("window", [2, 10_000])
def test_a_search_pages_alike_walked_or_collected(staff_client, ledger, monkeypatch, window):
    """Matches a page finds among the next `window` entries are walked to by the key's index,
    rarer ones collected and sorted (ledger.selectors.SEARCH_WINDOW): the same pages either way."""
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", window)
    expected = list(LedgerEntry.objects.filter(description__startswith="batch").order_by("-pk").values_list(
        "pk", flat=True))
    forward, pages = _walk(staff_client, URL + "?q=batch")
    assert forward == expected and len(pages) == 2
    backward, _pages = _walk(staff_client, pages[-1]["request"].get_full_path(), link="prev_url")
    assert sorted(backward, reverse=True) == expected and len(set(backward)) == 6
    assert pages[-1]["page"].count == 6 and not pages[-1]["page"].count_capped


@pytest.mark.parametrize("cursor", [
    "garbage", "",
    # The directory's, and one signed for this list but not holding an entry's id.
    pagination.encode_cursor("next", ["2026-01-01T00:00:00+00:00", "x"], fields=["created_at", "id"]),
    pagination.encode_cursor("next", [5], fields=["id"]),
    pagination.encode_cursor("next", ["00000000-0000-0000-0000-000000000000"], fields=["id"])[:-3] + "abc",
])
def test_a_cursor_not_made_by_this_list_shows_the_first_page(staff_client, ledger, cursor):
    response = staff_client.get(URL, {"cursor": cursor, "type": "PAYMENT"})
    assert response.status_code == 200
    first = list(LedgerEntry.objects.filter(type="PAYMENT").order_by("-pk")[:5])
    assert response.context["page"].results == first
    if cursor:
        assert "The page cursor is not valid" in response.content.decode()
        assert response.context["first_url"] is None


def test_the_count_stops_at_the_cap(staff_client, staff, ledger, monkeypatch):
    html = staff_client.get(URL).content.decode()
    assert "13 transactions" in html
    monkeypatch.setattr(pagination, "COUNT_CAP", 7)
    response = staff_client.get(URL)
    assert (response.context["page"].count, response.context["page"].count_capped) == (7, True)
    assert "More than 7 transactions" in response.content.decode()
    # A first page holding every match is its own count; a narrow search is exact.
    assert "3 transactions" in staff_client.get(URL, {"q": "fee"}).content.decode()
    User.objects.filter(pk=staff.pk).update(language="pl")
    assert "Ponad 7 transakcji" in staff_client.get(URL).content.decode()
    assert "3 transakcje" in staff_client.get(URL, {"q": "fee"}).content.decode()


def test_a_staff_member_limited_to_assigned_clients_pages_only_theirs(ledger):
    _first, second = ledger
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Accountant"],
                           limited_to_assigned_clients=True)
    staff_assignments_set(actor=None, staff_id=limited.pk, client_ids=[second.pk])
    browser = Browser()
    browser.force_login(limited)
    walked, _pages = _walk(browser, URL)
    assert walked == list(LedgerEntry.objects.filter(client=second).order_by("-pk").values_list("pk", flat=True))
    assert "6 transactions" in browser.get(URL).content.decode()


def test_the_export_streams_every_matching_entry(staff_client, ledger):
    response = staff_client.get(reverse("backoffice:finance-transactions-export"), {"type": "PAYMENT"})
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1 + LedgerEntry.objects.filter(type="PAYMENT").count() == 1 + 7
