"""The portal's Invoices, Transactions and Services lists are searched, filtered and sorted on the
server, as the staff lists are ("Lists are paginated, sortable and searchable on the server"): the
selected client's rows only, whatever the words; each page's links (the pager, the sortable headers,
the phone's "Sort by") keep the search, the filters and the sort; bad input shows the list, with the
reason above it, never a 500."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.client_services.models import Service, ServiceStatus
from clientpanel.invoicing import selectors as document_selectors
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.services.manual import manual_transaction_create

from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONG = "x" * 10_000


def _numbers(page: str) -> list[str]:
    """The document numbers an Invoices page lists, in its order."""
    return re.findall(r'class="document-number">([^<]+)<', page)


def _services(page: str) -> list[str]:
    """The services a Services page lists, in its order (each row links to its service once or more)."""
    return list(dict.fromkeys(re.findall(r'href="/portal/services/([0-9a-f-]{36})/"', page)))


def _page(browser, name: str, query: dict | None = None, status: int = 200) -> str:
    response = browser.get(reverse(name), query or {})
    assert response.status_code == status, response.status_code
    return response.content.decode()


@pytest.fixture
def documents(world):
    """The client's proforma from the world (20 net) and three more, issued in this order: 50, 35, 80 net."""
    made = {net: proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount=str(net))
            for net in (50, 35, 80)}
    return made | {20: world["mine_doc"]}


def _a_month_on(monkeypatch) -> None:
    """The documents' selector reads "overdue" a month from now (an issued document's due date never
    changes; every proforma issued now is overdue then)."""
    later = timezone.now() + dt.timedelta(days=31)
    monkeypatch.setattr(document_selectors, "timezone", SimpleNamespace(now=lambda: later))


def test_invoices_are_found_by_number_only_and_never_another_clients(world, documents):
    browser = _signed_in(world["mine"].owner.email)
    wanted = documents[50].number
    found = _page(browser, "portal:invoices", {"q": wanted})
    assert _numbers(found) == [wanted] and f'value="{wanted}"' in found
    # The client's own name is on every one of its documents: the portal finds documents by number.
    assert _numbers(_page(browser, "portal:invoices", {"q": world["mine"].display_name})) == []
    assert "No documents match." in _page(browser, "portal:invoices", {"q": world["mine"].display_name})
    assert _numbers(_page(browser, "portal:invoices", {"q": world["their_doc"].number})) == []


def test_invoices_filter_by_type_and_by_status_including_overdue(world, documents, monkeypatch):
    browser = _signed_in(world["mine"].owner.email)
    assert _numbers(_page(browser, "portal:invoices", {"type": DocumentType.INVOICE})) == []
    assert len(_numbers(_page(browser, "portal:invoices", {"type": "proforma"}))) == 4
    Document.objects.filter(pk=documents[80].pk).update(status=DocumentStatus.CANCELLED)
    unpaid = _page(browser, "portal:invoices", {"status": "unpaid"})  # the status as a person types it
    assert documents[80].number not in _numbers(unpaid) and len(_numbers(unpaid)) == 3
    assert '<option value="UNPAID" selected>' in unpaid
    none_yet = _page(browser, "portal:invoices", {"status": "OVERDUE"})
    assert _numbers(none_yet) == [] and '<option value="OVERDUE" selected>' in none_yet
    _a_month_on(monkeypatch)
    overdue = _numbers(_page(browser, "portal:invoices", {"status": "overdue"}))
    assert sorted(overdue) == sorted(documents[net].number for net in (20, 50, 35))  # not the cancelled one
    assert _numbers(_page(browser, "portal:invoices", {"status": "CANCELLED"})) == [documents[80].number]
    # A draft is never a portal user's to see, nor a status its filter offers.
    assert '<option value="DRAFT"' not in unpaid


def test_invoices_sort_by_total_and_dates_and_the_headers_keep_the_filters(world, documents):
    browser = _signed_in(world["mine"].owner.email)
    by_net = [documents[net].number for net in (20, 35, 50, 80)]
    assert _numbers(_page(browser, "portal:invoices", {"sort": "total"})) == by_net
    page = _page(browser, "portal:invoices", {"sort": "-total", "status": "UNPAID"})
    assert _numbers(page) == by_net[::-1]
    # The Total header now sorts the other way, within the same filter; the phone's picker keeps it too.
    assert 'href="/portal/invoices/?status=UNPAID&amp;sort=total"' in page
    assert '<input type="hidden" name="status" value="UNPAID">' in page
    assert '<input type="hidden" name="sort" value="-total">' in page  # the filter form keeps the order
    issued = [documents[net].number for net in (20, 50, 35, 80)]
    assert _numbers(_page(browser, "portal:invoices")) == issued[::-1]  # newest first
    assert _numbers(_page(browser, "portal:invoices", {"sort": "issue_date"})) == issued
    assert _numbers(_page(browser, "portal:invoices", {"sort": "-due_date"})) == issued[::-1]


def test_the_invoices_pages_keep_the_search_the_filter_and_the_sort(world):
    for net in range(30):
        proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount=str(10 + net))
    browser = _signed_in(world["mine"].owner.email)
    first = _page(browser, "portal:invoices", {"q": "PRO", "status": "UNPAID", "sort": "total"})
    assert 'href="?q=PRO&amp;status=UNPAID&amp;sort=total&amp;page=2"' in first
    second = _page(browser, "portal:invoices", {"q": "PRO", "status": "UNPAID", "sort": "total", "page": "2"})
    assert len(_numbers(second)) == 6 and 'value="PRO"' in second
    assert 'href="?q=PRO&amp;status=UNPAID&amp;sort=total&amp;page=1"' in second
    everything = Document.objects.filter(client=world["mine"]).order_by("total", "id").values_list("number", flat=True)
    assert _numbers(first) + _numbers(second) == list(everything)


@pytest.mark.parametrize(("query", "says"), [
    ({"sort": "password"}, "The list cannot be sorted by &#x27;password&#x27;; it is in its usual order."),
    ({"sort": LONG}, "The list cannot be sorted by"),
    ({"sort": NUL}, "The list cannot be sorted by &#x27;\\x00&#x27;"),
    ({"status": "PAID_TWICE"}, "Status: &#x27;PAID_TWICE&#x27; is not one of its choices; the list shows them all."),
    ({"status": "DRAFT"}, "Status: &#x27;DRAFT&#x27; is not one of its choices"),
    ({"type": "<script>"}, "Type: &#x27;&lt;script&gt;&#x27; is not one of its choices"),
    ({"q": LONG}, "A search is at most 100 characters long: its first 100 were searched."),
])
def test_bad_invoices_input_shows_the_list_and_says_why(world, query, says):
    page = _page(_signed_in(world["mine"].owner.email), "portal:invoices", query)
    assert says in page and _numbers(page) == ([] if "q" in query else [world["mine_doc"].number])
    assert "<script>" not in page


@pytest.mark.parametrize("name", ["portal:invoices", "portal:transactions", "portal:services"])
def test_a_search_with_a_nul_byte_is_refused_and_the_list_shown_without_it(world, name):
    page = _page(_signed_in(world["mine"].owner.email), name, {"q": f"VPS{NUL}", "sort": "-nothing"}, status=400)
    assert "Search: " in page and "The list is shown without it." in page and NUL not in page
    assert "The list cannot be sorted by" in page


def test_transactions_sort_by_amount_find_transaction_ids_and_keep_both(world):
    mine = world["mine"]
    for amount, reference in (("7", "BANK-0007"), ("-3", "BANK-0003"), ("40", "BANK-0040")):
        manual_transaction_create(actor=None, client_id=mine.pk, amount=amount, transaction_id=reference,
                                  description=f"Transfer {amount}")
    browser = _signed_in(mine.owner.email)
    page = _page(browser, "portal:transactions", {"sort": "amount"})
    order = [page.index(f"Transfer {amount}") for amount in ("-3", "7", "40")]
    assert order == sorted(order) and order[1] < page.index("Opening") < order[2]  # 25
    newest_first = _page(browser, "portal:transactions")
    assert newest_first.index("Transfer 40") < newest_first.index("Transfer -3") < newest_first.index("Transfer 7")
    found = _page(browser, "portal:transactions", {"q": "bank-0040", "sort": "-amount"})
    assert "Transfer 40" in found and "Transfer 7" not in found and "Opening" not in found
    # The Amount header turns the order round and keeps the search; Date sorts oldest first.
    assert 'href="/portal/transactions/?q=bank-0040&amp;sort=amount"' in found
    assert 'href="/portal/transactions/?q=bank-0040&amp;sort=date"' in found
    oldest = _page(browser, "portal:transactions", {"sort": "date"})
    assert oldest.index("Opening") < oldest.index("Transfer 7")
    assert "Opening" in _page(browser, "portal:transactions", {"sort": "balance"})  # not offered: newest first


def test_the_transactions_pages_keep_the_search_and_the_sort(world):
    for n in range(55):
        manual_transaction_create(actor=None, client_id=world["mine"].pk, amount=str(n + 1), description=f"Top-up {n}")
    browser = _signed_in(world["mine"].owner.email)
    first = _page(browser, "portal:transactions", {"q": "Top-up", "sort": "-amount"})
    assert 'href="?q=Top-up&amp;sort=-amount&amp;page=2"' in first and "Top-up 54" in first
    second = _page(browser, "portal:transactions", {"q": "Top-up", "sort": "-amount", "page": "2"})
    assert "Top-up 0<" in second and "Top-up 54" not in second and "Opening" not in second


def _services_of(world, *rows):
    """Copies of the client's service: (label, status, amount, days from now it is billed until)."""
    made = {}
    for label, status, amount, days in rows:
        service = Service.objects.get(pk=world["mine_service"].pk)
        service.pk, service.label, service.status, service.amount = None, label, status, Decimal(amount)
        service.billed_until = timezone.now() + dt.timedelta(days=days)
        service.order_date = timezone.now() - dt.timedelta(days=days)
        service.save()
        made[label] = str(service.pk)
    return made


def test_services_are_found_by_product_or_label_filtered_and_sorted(world):
    made = _services_of(world, ("ALPHA1", ServiceStatus.ACTIVE, "9", 3), ("BETA22", ServiceStatus.ACTIVE, "4", 20),
                        ("GAMMA3", ServiceStatus.SUSPENDED, "15", 9))
    browser = _signed_in(world["mine"].owner.email)
    assert _services(_page(browser, "portal:services", {"q": "beta"})) == [made["BETA22"]]
    by_product = _services(_page(browser, "portal:services", {"q": "vps small"}))
    assert len(by_product) == 4 and str(world["their_service"].pk) not in by_product
    # The client's own name is on every one of its services: the portal finds services by product or label.
    assert "No services match." in _page(browser, "portal:services", {"q": world["mine"].display_name})
    assert _services(_page(browser, "portal:services", {"q": "a", "status": "SUSPENDED"})) == [made["GAMMA3"]]
    cheapest = _services(_page(browser, "portal:services", {"sort": "price", "status": "ACTIVE"}))
    assert cheapest == [made["BETA22"], made["ALPHA1"]]
    due = _page(browser, "portal:services", {"sort": "billed_until", "status": "ACTIVE"})
    assert _services(due) == [made["ALPHA1"], made["BETA22"]]
    assert 'href="/portal/services/?status=ACTIVE&amp;sort=-billed_until"' in due
    newest = _services(_page(browser, "portal:services", {"sort": "-ordered"}))
    assert newest.index(made["ALPHA1"]) < newest.index(made["GAMMA3"]) < newest.index(made["BETA22"])


def test_the_services_pages_keep_the_search_and_the_sort_and_bad_input_says_why(world):
    _services_of(world, *((f"SRV{n:03d}", ServiceStatus.ACTIVE, str(n + 1), n) for n in range(30)))
    browser = _signed_in(world["mine"].owner.email)
    first = _page(browser, "portal:services", {"q": "SRV", "status": "ACTIVE", "sort": "-price"})
    assert 'href="?q=SRV&amp;status=ACTIVE&amp;sort=-price&amp;page=2"' in first and "SRV029" in first
    second = _page(browser, "portal:services", {"q": "SRV", "status": "ACTIVE", "sort": "-price", "page": "2"})
    assert len(_services(second)) == 5 and "SRV000" in second and "SRV029" not in second
    bad = _page(browser, "portal:services", {"sort": "client", "status": "HACKED", "q": LONG})
    assert "The list cannot be sorted by &#x27;client&#x27;" in bad and "Status: &#x27;HACKED&#x27;" in bad
    assert "A search is at most 100 characters long" in bad and "No services match." in bad
