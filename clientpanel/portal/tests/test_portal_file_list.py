"""The portal's Documents are searched and sorted on the server, as its Invoices, Transactions and
Services are: found by a file's name or description, sorted by date, name or size; the pager, the
sortable headers and the phone's "Sort by" keep both; bad input shows the list with the reason above
it, never a 500; only the selected client's files shown in the portal, whatever the words."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from clientpanel.clients import permissions as keys
from clientpanel.files.models import ClientFile
from clientpanel.files.services import client_file_upload
from clientpanel.files.tests.samples import PDF

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONG = "x" * 10_000


def _upload(client, name: str, *, note: str = "", padding: int = 0, days_ago: int = 0, visible: bool = True):
    """A PDF of the client's, `padding` bytes longer than the smallest, uploaded `days_ago` days ago."""
    shown = client_file_upload(actor=None, client_id=client.pk, name=name, note=note, visible_in_portal=visible,
                               file=ContentFile(PDF + b"%" * padding, name=f"{name}.pdf"))
    ClientFile.objects.filter(pk=shown.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return shown


def _names(page: str) -> list[str]:
    """The file names a Documents page lists, in its order."""
    return re.findall(r'class="file-name">([^<]+)<', page)


def _page(browser, query: dict | None = None, status: int = 200) -> str:
    response = browser.get(reverse("portal:files"), query or {})
    assert response.status_code == status, response.status_code
    return response.content.decode()


@pytest.fixture
def files(world):
    """Beside the world's Contract (uploaded now): three more of the client's, one of another client's
    and one staff keep to themselves, each named so that a search could find it."""
    mine, theirs = world["mine"], world["theirs"]
    ClientFile.objects.filter(pk=world["mine_file"].pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    return {
        "price list": _upload(mine, "price list", note="Prices for 2027", padding=300, days_ago=5),
        "Warranty": _upload(mine, "Warranty", note="Signed contract annex", padding=50, days_ago=1),
        "annual report": _upload(mine, "annual report", padding=900, days_ago=9),
        "their annex": _upload(theirs, "Their annex", note="contract annex 2027"),
        "internal annex": _upload(mine, "Internal annex", note="contract annex", visible=False),
    }


def test_files_are_found_by_name_or_description_and_never_another_clients(world, files):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    # "contract" names the world's Contract and is in Warranty's description; the other client's file
    # and the one staff keep hidden say it too, and are never listed.
    found = _page(browser, {"q": "CONTRACT"})
    assert sorted(_names(found)) == ["Contract", "Warranty"] and 'value="CONTRACT"' in found
    assert _names(_page(browser, {"q": "annex 2027"})) == []  # the words of the other client's file only
    assert _names(_page(browser, {"q": "2027"})) == ["price list"]
    assert _names(_page(browser, {"q": "their"})) == [] and "No documents match." in _page(browser, {"q": "their"})
    assert _names(_page(browser, {"q": "internal"})) == []
    # Another client's user finds its own file and none of these.
    other = _signed_in(_member(world["theirs"], keys.VIEW_DOCUMENTS, email="their.member@example.com"))
    assert _names(_page(other, {"q": "annex"})) == ["Their annex"]
    assert _names(_page(other, {"q": "contract"})) == ["Their annex", "Their contract"]  # newest first


def test_files_sort_by_date_name_and_size_and_the_headers_keep_the_search(world, files):
    browser = _signed_in(world["mine"].owner.email)
    newest_first = ["Warranty", "Contract", "price list", "annual report"]
    assert _names(_page(browser)) == newest_first
    assert _names(_page(browser, {"sort": "date"})) == newest_first[::-1]
    assert _names(_page(browser, {"sort": "name"})) == ["annual report", "Contract", "price list", "Warranty"]
    assert _names(_page(browser, {"sort": "-size"})) == ["annual report", "price list", "Warranty", "Contract"]
    page = _page(browser, {"q": "r", "sort": "size"})
    assert _names(page) == ["Contract", "Warranty", "price list", "annual report"]
    # The Size header turns the order round within the search; the others start ascending; the search
    # form and the phone's picker keep the order.
    assert 'href="/portal/documents/?q=r&amp;sort=-size"' in page and 'aria-current="true"' in page
    assert 'href="/portal/documents/?q=r&amp;sort=name"' in page
    assert '<input type="hidden" name="sort" value="size">' in page
    assert 'id="file-sort-picker"' in page and '<input type="hidden" name="q" value="r">' in page


def test_the_pages_keep_the_search_and_the_sort(world):
    for n in range(30):
        _upload(world["mine"], f"Scan {n:02d}", padding=n, days_ago=n)
    browser = _signed_in(world["mine"].owner.email)
    first = _page(browser, {"q": "scan", "sort": "-size"})
    assert 'href="?q=scan&amp;sort=-size&amp;page=2"' in first
    assert _names(first) == [f"Scan {n:02d}" for n in range(29, 4, -1)]
    second = _page(browser, {"q": "scan", "sort": "-size", "page": "2"})
    assert _names(second) == [f"Scan {n:02d}" for n in range(4, -1, -1)]
    assert 'href="?q=scan&amp;sort=-size&amp;page=1"' in second and "Contract" not in second


@pytest.mark.parametrize(("query", "says"), [
    ({"sort": "storage_name"}, "The list cannot be sorted by &#x27;storage_name&#x27;; it is in its usual order."),
    ({"sort": LONG}, "The list cannot be sorted by"),
    ({"sort": NUL}, "The list cannot be sorted by &#x27;\\x00&#x27;"),
    ({"q": LONG}, "A search is at most 100 characters long: its first 100 were searched."),
])
def test_bad_input_shows_the_list_and_says_why(world, files, query, says):
    page = _page(_signed_in(world["mine"].owner.email), query)
    assert says in page
    assert _names(page) == ([] if "q" in query else ["Warranty", "Contract", "price list", "annual report"])


def test_a_search_with_a_nul_byte_is_refused_and_the_list_shown_without_it(world, files):
    page = _page(_signed_in(world["mine"].owner.email), {"q": f"Contract{NUL}", "sort": "-nothing"}, status=400)
    assert "Search: " in page and "The list is shown without it." in page and NUL not in page
    assert "The list cannot be sorted by" in page
    assert _names(page) == ["Warranty", "Contract", "price list", "annual report"]
