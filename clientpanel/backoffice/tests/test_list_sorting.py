"""Clients → Services, Finance → Documents, Finance → Transactions, Settings → Activity log and
Settings → E-mail log sort on the server by their headers, as the directory does: each offered sort
in both directions lists the rows in that order (ties broken by the key, the same way), the headers
link to their column's order with the page's filters kept, the filter form and the pager carry the
sort, a sort the list does not offer shows the default order and says why (never a 500), and staff
limited to their clients still see only theirs, whatever the order."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.selectors import AUDIT_SORTS
from clientpanel.backoffice.views import documents as document_views
from clientpanel.backoffice.views import emails as email_views
from clientpanel.backoffice.views import service_list as service_list_views
from clientpanel.backoffice.views import settings as settings_views
from clientpanel.backoffice.views import transactions as transaction_views
from clientpanel.backoffice.views.common import page_of
from clientpanel.catalog.models import Product
from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import SERVICE_SORTS
from clientpanel.clients.models import StaffAssignment
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.selectors import DOCUMENT_SORTS
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ENTRY_SORTS
from clientpanel.ledger.services import entry_post
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.selectors import EMAIL_SORTS
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def day(n: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 1, n, hour, tzinfo=dt.UTC)


@pytest.fixture
def clients(make_client):
    """Acme (the limited staff member's), Beta and Gamma."""
    return [make_client(company_name=name) for name in ("Acme", "Beta", "Gamma")]


@pytest.fixture
def rows(clients):
    """Services, documents, entries, events and e-mails of the three clients, with ties in every
    sorted column so that the key has to break them."""
    acme, beta, gamma = clients
    product = Product.objects.create(key="vps", name="VPS")
    for n, (client, ordered, activated, currency, amount) in enumerate([
            (acme, day(3), day(5), "USD", "30"), (beta, day(1), day(9), "EUR", "10"),
            (gamma, day(2), day(5), "USD", "5"), (acme, day(1), day(2), "EUR", "10")]):
        Service.objects.create(client=client, product=product, label=f"SRT00{n}", currency=currency,
                               period="MONTHLY", amount=Decimal(amount), setup_fee=Decimal(0), order_date=ordered,
                               activation_date=activated)
    company = default_home_company()
    for number, client, issued, due, currency, total, status, created in [
            ("INV-0003", acme, day(3), day(20), "EUR", "100", "UNPAID", day(4)),
            ("INV-0001", beta, day(1), day(25), "PLN", "50", "PAID", day(1)),
            ("INV-0002", gamma, day(3), day(20), "EUR", "100", "UNPAID", day(4)),
            ("INV-0004", acme, day(2), day(22), "PLN", "200", "PAID", day(2))]:
        document = Document.objects.create(client=client, home_company=company, type="INVOICE", number=number,
                                           status=status, currency=currency, issue_date=issued, due_date=due,
                                           net=Decimal(total), total=Decimal(total))
        Document.objects.filter(pk=document.pk).update(created_at=created)
    for n, client in enumerate([acme, beta, gamma, acme, gamma, beta, acme]):
        entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal(n + 1), description=f"wire {n}")
    for action, client, when in [("client.update", acme, day(2)), ("document.issue", beta, day(3)),
                                 ("client.update", gamma, day(2)), ("address.delete", acme, day(1))]:
        event = AuditEvent.objects.create(actor_kind="system", actor_label="system", action=action,
                                          object_type="client", object_id=str(client.pk), client_id=client.pk)
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    for recipient, client, when in [("cecil@example.com", acme, day(2)), ("anna@example.com", beta, day(3)),
                                    ("bob@example.com", gamma, day(2)), ("anna@example.com", acme, day(1))]:
        EmailMessage.objects.create(created_at=when, template="welcome", language="en", recipient=recipient,
                                    client_id=client.pk, subject="Hello", body_text="Hello", next_attempt_at=when)
    return clients


def _in_order(items, fields, descending: bool) -> list:
    """The items as a list sorted by these fields ("-name": reversed) is ordered, all reversed when
    descending — what the database is asked for."""
    def compare(a, b) -> int:
        for field in fields:
            name, reverse = field.lstrip("-"), field.startswith("-") != descending
            left, right = getattr(a, name), getattr(b, name)
            if left != right:
                return (1 if left > right else -1) * (-1 if reverse else 1)
        return 0
    return sorted(items, key=functools.cmp_to_key(compare))


# Each list: its page, its sorts, the rows a page shows, the rows it lists (the actor's), each row's client.
LISTS = {
    "services": ("backoffice:service-list", SERVICE_SORTS, lambda page: list(page),
                 lambda: Service.objects.all(), lambda row: row.client_id),
    "documents": ("backoffice:finance-documents", DOCUMENT_SORTS, lambda page: list(page),
                  lambda: Document.objects.all(), lambda row: row.client_id),
    "transactions": ("backoffice:finance-transactions", ENTRY_SORTS, lambda page: page.results,
                     lambda: LedgerEntry.objects.all(), lambda row: row.client_id),
    "activity": ("backoffice:activity-log", AUDIT_SORTS, lambda page: list(page.object_list),
                 lambda: AuditEvent.objects.all(), lambda row: row.client_id),
    "emails": ("backoffice:email-log", EMAIL_SORTS, lambda page: list(page),
               lambda: EmailMessage.objects.all(), lambda row: row.client_id),
}
CASES = [(name, key, descending) for name, (_url, sorts, *_rest) in LISTS.items()
         for key in sorts for descending in (False, True)]


@pytest.mark.parametrize(("name", "key", "descending"), CASES)
def test_each_offered_sort_lists_the_rows_in_its_order_both_ways(staff_client, rows, name, key, descending):
    url, sorts, shown, everything, _client_of = LISTS[name]
    answer = staff_client.get(reverse(url), {"sort": f"-{key}" if descending else key})
    assert answer.status_code == 200
    expected = _in_order(everything(), sorts[key], descending)
    assert len(expected) > 3
    assert [row.pk for row in shown(answer.context["page"])] == [row.pk for row in expected]
    assert answer.context["sorting"].error is None


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("sort", ["bogus", "-bogus", "--", "id", "password", "name\x00", "x" * 2000])
def test_a_sort_the_list_does_not_offer_shows_its_default_order_and_says_why(staff_client, rows, name, sort):
    url, _sorts, shown, _everything, _client_of = LISTS[name]
    answer = staff_client.get(reverse(url), {"sort": sort})
    assert answer.status_code == 200
    default = staff_client.get(reverse(url))
    assert [row.pk for row in shown(answer.context["page"])] == [row.pk for row in shown(default.context["page"])]
    reason = answer.content.decode().split("Cannot sort by", 1)[1].split("</div>", 1)[0]
    assert "with - for descending" in reason
    assert "x" * 41 not in reason  # the typed sort is named, cut short


@pytest.mark.parametrize(("name", "key", "descending"), CASES)
def test_staff_limited_to_their_clients_see_only_theirs_in_every_order(rows, name, key, descending):
    acme = rows[0]
    limited = staff_create(email="limited@example.com", password=PASSWORD, roles=["Administrator"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=acme)
    browser = Browser()
    browser.force_login(limited)
    url, sorts, shown, everything, client_of = LISTS[name]
    answer = browser.get(reverse(url), {"sort": f"-{key}" if descending else key})
    assert answer.status_code == 200
    listed = shown(answer.context["page"])
    assert listed and {client_of(row) for row in listed} == {acme.pk}
    theirs = [row for row in everything() if client_of(row) == acme.pk]
    assert [row.pk for row in listed] == [row.pk for row in _in_order(theirs, sorts[key], descending)]


def test_the_headers_link_to_their_columns_order_keeping_the_filters(staff_client, rows):
    page = staff_client.get(reverse("backoffice:finance-documents"),
                            {"status": "UNPAID", "sort": "total", "page": "1"}).content.decode()
    # The active column turns the order round and shows its direction; another starts ascending.
    assert ('<a href="?status=UNPAID&amp;sort=-total" class="text-nowrap" aria-current="true">Total '
            '<span aria-hidden="true">▲</span><span class="visually-hidden">Ascending</span></a>') in page
    assert '<a href="?status=UNPAID&amp;sort=issue_date" class="text-nowrap">Issue Date</a>' in page
    # The filter form sends the order shown, and so does the export.
    assert '<input type="hidden" name="sort" value="total">' in page
    assert "export/?type=&amp;status=UNPAID&amp;q=&amp;sort=total" in page
    assert 'id="document-sort-picker"' in page  # the phone's "Sort by"
    services = staff_client.get(reverse("backoffice:service-list")).content.decode()
    # The default order, shown as such.
    assert ('<a href="?sort=ordered" class="text-nowrap" aria-current="true">Order Date <span aria-hidden="true">▼'
            '</span><span class="visually-hidden">Descending</span></a>') in services
    assert '<a href="?sort=price" class="text-nowrap">Price</a>' in services


def test_a_clients_own_tabs_keep_their_plain_headers(staff_client, rows):
    """The tables the five lists share with a client's tabs sort only where the list offers it."""
    acme = rows[0]
    for tab in ("client-services", "client-invoices", "client-activity", "client-emails"):
        page = staff_client.get(reverse(f"backoffice:{tab}", args=[acme.pk])).content.decode()
        assert "sort=" not in page and "-sort-picker" not in page, tab


@pytest.mark.parametrize(("name", "views"), [("services", service_list_views), ("documents", document_views),
                                             ("activity", settings_views), ("emails", email_views)])
def test_the_pager_keeps_the_order(staff_client, rows, monkeypatch, name, views):
    url, sorts, *_rest = LISTS[name]
    key = next(iter(sorts))
    monkeypatch.setattr(views, "page_of", lambda request, items, _per_page: page_of(request, items, 2))
    page = staff_client.get(reverse(url), {"sort": key}).content.decode()
    following = re.findall(r'href="\?([^"]*page=2[^"]*)"', page)
    assert following and all(f"sort={key}" in link.replace("&amp;", "&") for link in following)


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("search", ["", "wire"])
def test_transactions_page_by_their_cursor_in_either_order(staff_client, rows, monkeypatch, sort, search):
    """Next walks every entry once in the order asked, Previous walks back the same way, and the
    links keep the order (the cursor is a keyset on the key, which both orders read)."""
    monkeypatch.setattr(transaction_views, "FINANCE_PAGE_SIZE", 2)
    url = reverse("backoffice:finance-transactions")
    expected = [entry.pk for entry in _in_order(LedgerEntry.objects.all(), ENTRY_SORTS["date"], sort == "-date")]
    seen, contexts, link = [], [], "?" + "&".join(f"{k}={v}" for k, v in {"sort": sort, "q": search}.items() if v)
    while link:
        context = staff_client.get(url + link).context
        contexts.append(context)
        seen += [entry.pk for entry in context["page"].results]
        link = context["next_url"]
        assert link is None or sort == "-date" or "sort=date" in link
    assert seen == expected and len(contexts) == 4
    back, link = [], contexts[-1]["prev_url"]
    while link:
        context = staff_client.get(url + link).context
        back = [entry.pk for entry in context["page"].results] + back
        link = context["prev_url"]
    assert back + [entry.pk for entry in contexts[-1]["page"].results] == expected


def test_the_exports_follow_the_order_of_their_page(staff_client, rows):
    documents = staff_client.get(reverse("backoffice:finance-documents-export"), {"sort": "-number"})
    numbers = re.findall(r"INV-\d{4}", b"".join(documents.streaming_content).decode())
    assert numbers == ["INV-0004", "INV-0003", "INV-0002", "INV-0001"]
    oldest = staff_client.get(reverse("backoffice:finance-transactions-export"), {"sort": "date"})
    wires = re.findall(r"wire \d", b"".join(oldest.streaming_content).decode())
    assert wires == [f"wire {n}" for n in range(7)]
    refused = staff_client.get(reverse("backoffice:finance-documents-export"), {"sort": "bogus"})
    assert refused.status_code == 302 and refused["Location"].endswith("?sort=bogus")
