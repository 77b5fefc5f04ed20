"""Issue 13: the staff panel's CSV exports — the directory, Finance → Documents and Transactions, and
a client's Invoices and Transactions tabs: every row the page's filters find (not one page), within
the staff member's scope, streamed, in their language, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import ClientGroup, StaffAssignment
from clientpanel.core.csv_export import BOM
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.services import manual_transaction_create

pytestmark = pytest.mark.django_db


def _table(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _with_money(client, amount="10", description="Top-up"):
    manual_transaction_create(actor=None, client_id=client.pk, amount=amount, description=description)
    proforma_add_funds(actor=None, client_id=client.pk, net_amount="25")
    return client


def test_directory_export_holds_every_matching_client_of_every_page(staff_client, make_client):
    for n in range(30):
        make_client(company_name=f"Zenith {n:02d}", billing_address={"country": "DE", "city": "Berlin", "region": ""})
    make_client(company_name="Zenith Poland")
    make_client(company_name="Other Ltd", billing_address={"country": "DE", "region": ""})
    response = staff_client.get(reverse("backoffice:client-list-export"),
                                {"q": "zenith", "country": "DE", "sort": "display_name", "page_size": 10})
    assert response["Content-Disposition"].startswith('attachment; filename="clients-')
    rows = _table(response)
    assert [r["Client"] for r in rows] == [f"Zenith {n:02d}" for n in range(30)]
    assert rows[0]["Country"] == "DE" and rows[0]["City"] == "Berlin" and rows[0]["Status"] == "New"
    assert rows[0]["Balance"] == "0.00" and rows[0]["Currency"] == "USD"


def test_directory_export_shows_the_fields_of_the_page_and_quotes_formulas(staff_client, make_client):
    group = ClientGroup.objects.create(name="VIP")
    client = make_client(company_name='=HYPERLINK("http://evil.example","Click")', firstname="@SUM(A1)",
                         lastname="Żółć", group=group.pk, tax_id="", phone="+48 22 123 45 67")
    manual_transaction_create(actor=None, client_id=client.pk, amount="-10", description="Fee",
                              allow_over_limit=True)
    (row,) = _table(staff_client.get(reverse("backoffice:client-list-export")))
    assert row["Client number"] == client.number and row["Email"] == client.owner.email
    assert row["Company"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["First name"] == "'@SUM(A1)" and row["Last name"] == "Żółć"
    assert row["Phone"] == "'+48221234567"  # E.164 text: quoted, so it stays text
    assert row["Balance"] == "-10.00"  # a number, not text: never quoted
    assert row["Credit limit"] == "0.00" and row["Group"] == "VIP"
    assert row["Created"][:4].isdigit() and row["Created"][10] == " "


def test_directory_export_with_a_refused_filter_goes_back_to_the_directory(staff_client, make_client):
    response = staff_client.get(reverse("backoffice:client-list-export"), {"status": "NOPE"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:client-list") + "?status=NOPE"


def test_headers_and_labels_are_in_the_staff_members_language(staff_client, staff, make_client):
    make_client(company_name="Zażółć Sp. z o.o.")
    staff_client.post(reverse("backoffice:account-language"), {"language": "pl"})
    (row,) = _table(staff_client.get(reverse("backoffice:client-list-export")))
    assert row["Klient"] == "Zażółć Sp. z o.o." and row["Status"] == "Nowy"
    assert "Saldo" in row and "Limit kredytowy" in row


def test_limited_staff_exports_only_their_assigned_clients(client, make_client):
    mine = _with_money(make_client(company_name="Assigned Ltd"))
    theirs = _with_money(make_client(company_name="Hidden Ltd"))
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Administrator"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=mine)
    client.force_login(limited)
    assert [r["Client"] for r in _table(client.get(reverse("backoffice:client-list-export")))] == ["Assigned Ltd"]
    for name in ("finance-documents-export", "finance-transactions-export"):
        assert {r["Client"] for r in _table(client.get(reverse(f"backoffice:{name}")))} == {"Assigned Ltd"}, name
    for name in ("client-invoices-export", "client-transactions-export"):
        assert client.get(reverse(f"backoffice:{name}", args=[theirs.pk])).status_code == 404, name
        assert {r["Client"] for r in _table(client.get(reverse(f"backoffice:{name}", args=[mine.pk])))} == {
            "Assigned Ltd"}, name


def test_finance_exports_need_the_finance_area(client, make_client):
    target = _with_money(make_client())
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    assert client.get(reverse("backoffice:finance-documents-export")).status_code == 403
    assert client.get(reverse("backoffice:finance-transactions-export")).status_code == 403
    # The client's own tabs are View clients pages, and so are their exports.
    assert len(_table(client.get(reverse("backoffice:client-invoices-export", args=[target.pk])))) == 1


def test_document_exports_follow_the_filters_of_their_pages(staff_client, make_client):
    alpha = _with_money(make_client(company_name="Alpha"))
    _with_money(make_client(company_name="Beta"))
    everything = _table(staff_client.get(reverse("backoffice:finance-documents-export")))
    assert {r["Client"] for r in everything} == {"Alpha", "Beta"}
    row = next(r for r in everything if r["Client"] == "Alpha")
    assert row["Type"] == "Proforma" and row["Status"] == "Unpaid" and row["Currency"] == "USD"
    assert row["Net"] == "25.00" and row["Total"] == "25.00" and row["Tax"] == "0.00"
    assert row["Client number"] == alpha.number and row["Number"]
    searched = _table(staff_client.get(reverse("backoffice:finance-documents-export"), {"q": "alpha"}))
    assert [r["Client"] for r in searched] == ["Alpha"]
    assert _table(staff_client.get(reverse("backoffice:finance-documents-export"), {"status": "PAID"})) == []
    tab = _table(staff_client.get(reverse("backoffice:client-invoices-export", args=[alpha.pk]), {"type": "PROFORMA"}))
    assert [r["Client"] for r in tab] == ["Alpha"]


def test_transaction_exports_follow_the_filters_of_their_pages(staff_client, make_client):
    alpha = make_client(company_name="Alpha")
    manual_transaction_create(actor=None, client_id=alpha.pk, amount="10.5", description="Top-up")
    manual_transaction_create(actor=None, client_id=alpha.pk, amount="-3", description="-fee")
    _with_money(make_client(company_name="Beta"))
    rows = _table(staff_client.get(reverse("backoffice:client-transactions-export", args=[alpha.pk])))
    assert [(r["Entry number"], r["Net"], r["Balance before"], r["Balance after"]) for r in rows] == [
        ("2", "-3.00", "10.50", "7.50"), ("1", "10.50", "0.00", "10.50")]
    assert rows[0]["Description"] == "'-fee" and rows[0]["Type"] == "Adjustment"
    found = _table(staff_client.get(reverse("backoffice:client-transactions-export", args=[alpha.pk]), {"q": "top"}))
    assert [r["Description"] for r in found] == ["Top-up"]
    finance = _table(staff_client.get(reverse("backoffice:finance-transactions-export"), {"type": "ADJUSTMENT"}))
    assert {r["Client"] for r in finance} == {"Alpha", "Beta"} and len(finance) == 3
    assert _table(staff_client.get(reverse("backoffice:finance-transactions-export"), {"type": "REFUND"})) == []


EXPORTS = ["client-list-export", "finance-documents-export", "finance-transactions-export",
           "client-invoices-export", "client-transactions-export"]


def _grow(name, make_client, target, count):
    """count more rows for the export `name`: entries and documents of target for a client's tab,
    clients with money elsewhere."""
    for _ in range(count):
        if name in ("client-invoices-export", "client-transactions-export"):
            manual_transaction_create(actor=None, client_id=target.pk, amount="1", description="Top-up")
            proforma_add_funds(actor=None, client_id=target.pk, net_amount="1")
        else:
            _with_money(make_client())


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_takes_as_many_queries_for_50_rows_as_for_5(staff_client, make_client, name):
    target = make_client()
    url = reverse(f"backoffice:{name}", args=[target.pk] if name in ("client-invoices-export",
                                                                     "client-transactions-export") else [])
    staff_client.get(url)  # the session's first request reads more than any later one
    counts = []
    for rows, more in ((5, 5), (50, 45)):
        _grow(name, make_client, target, more)
        with CaptureQueriesContext(connection) as queries:
            table = _table(staff_client.get(url))
        assert len(table) >= rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_pages_offer_the_export_with_their_filters(staff_client, make_client):
    target = _with_money(make_client())
    directory = staff_client.get(reverse("backoffice:client-list"), {"q": "ruslan", "status": "NEW"}).content.decode()
    assert f'{reverse("backoffice:client-list-export")}?q=ruslan&amp;status=NEW&amp;sort=-created_at' in directory
    filtered = staff_client.get(reverse("backoffice:client-list"), {"q": "x"}, headers={"HX-Request": "true"})
    assert 'id="directory-export"' in filtered.content.decode() and 'hx-swap-oob="true"' in filtered.content.decode()
    documents = staff_client.get(reverse("backoffice:finance-documents"), {"status": "UNPAID"}).content.decode()
    assert f'{reverse("backoffice:finance-documents-export")}?type=&amp;status=UNPAID&amp;q=' in documents
    transactions = staff_client.get(reverse("backoffice:finance-transactions"), {"type": "CHARGE"}).content.decode()
    assert f'{reverse("backoffice:finance-transactions-export")}?q=&amp;type=CHARGE' in transactions
    for page, export in (("client-invoices", "client-invoices-export"),
                         ("client-transactions", "client-transactions-export")):
        html = staff_client.get(reverse(f"backoffice:{page}", args=[target.pk])).content.decode()
        assert reverse(f"backoffice:{export}", args=[target.pk]) in html, page
